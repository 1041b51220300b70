-- units * active_seconds / period_seconds, rounded half-up to 9 decimals (quantity precision).
CREATE OR REPLACE TEMP MACRO prorate_units(units, active_seconds, period_seconds) AS
    CAST(
        CAST(div_half_up(CAST(CAST(units AS DECIMAL(38, 9)) * 1000000000 AS HUGEINT)
                         * active_seconds, period_seconds) AS DECIMAL(38, 0))
        * 0.000000001
    AS DECIMAL(38, 9))
