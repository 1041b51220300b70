-- units * active / period, rounded half-up to 9 decimals (quantity precision).
CREATE OR REPLACE TEMP MACRO prorate_units(units, active, period) AS
    CAST(CAST(scale_by_fraction(to_scaled(units), active, period) AS DECIMAL(38, 0))
         * 0.000000001 AS DECIMAL(38, 9))
