-- part / whole * 100 to 2 decimals, half away from zero, exactly. DECIMAL division in DuckDB
-- goes through DOUBLE and may round a half down, so the DOUBLE quotient only gives a first
-- guess k (in hundredths of a percent) that exact DECIMAL products then check and correct:
-- the right k satisfies (2k - 1) * whole <= 20000 * |part| < (2k + 1) * whole. NULL unless
-- whole > 0. Stored in the warehouse (not a temporary macro), so that the views using it
-- work on any connection, the analysts' included. Pass columns: each argument is used
-- several times.
CREATE OR REPLACE MACRO percent_of(part, whole) AS
    CASE WHEN whole > 0 THEN
        CAST(CAST(sign(part) * (
            CAST(floor(20000 * abs(part) / whole / 2 + 0.5) AS BIGINT)
            + CASE WHEN 20000 * abs(part)
                        >= (2 * CAST(floor(20000 * abs(part) / whole / 2 + 0.5) AS BIGINT) + 1)
                           * whole THEN 1
                   WHEN 20000 * abs(part)
                        < (2 * CAST(floor(20000 * abs(part) / whole / 2 + 0.5) AS BIGINT) - 1)
                          * whole THEN -1
                   ELSE 0 END)
        AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2))
    END
