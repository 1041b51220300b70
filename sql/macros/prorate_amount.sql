-- amount * active_seconds / period_seconds, rounded half-up to 18 decimals: far below a cent,
-- so the only rounding that shows is the one at the invoice line.
CREATE OR REPLACE TEMP MACRO prorate_amount(amount, active_seconds, period_seconds) AS
    CAST(
        CAST(div_half_up(CAST(CAST(amount AS DECIMAL(38, 9)) * 1000000000 AS HUGEINT)
                         * active_seconds * 1000000000, period_seconds) AS DECIMAL(38, 0))
        * 0.000000000000000001
    AS DECIMAL(38, 18))
