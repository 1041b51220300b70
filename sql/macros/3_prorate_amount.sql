-- amount * active / period, rounded half-up to 18 decimals: far below a cent, so the only
-- rounding that shows is the one at the invoice line.
CREATE OR REPLACE TEMP MACRO prorate_amount(amount, active, period) AS
    CAST(CAST(scale_by_fraction(to_scaled(amount) * 1000000000, active, period)
              AS DECIMAL(38, 0))
         * 0.000000000000000001 AS DECIMAL(38, 18))
