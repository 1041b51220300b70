-- part / whole * 100 to 2 decimals, half away from zero, exactly: DECIMAL division in DuckDB
-- goes through DOUBLE and rounds some halves down. Both are scaled to integer counts of 1e-9
-- and divided as integers. NULL unless whole > 0. Stored in the warehouse (not a temporary
-- macro), so that the views using it work on any connection, the analysts' included.
CREATE OR REPLACE MACRO percent_of(part, whole) AS
    CASE WHEN whole > 0 THEN
        CAST(CAST(sign(part) * (
            2 * 10000 * (CAST(trunc(abs(CAST(part AS DECIMAL(38, 9)))) AS HUGEINT) * 1000000000
                         + CAST((abs(CAST(part AS DECIMAL(38, 9)))
                                 - trunc(abs(CAST(part AS DECIMAL(38, 9))))) * 1000000000
                                AS HUGEINT))
            + (CAST(trunc(CAST(whole AS DECIMAL(38, 9))) AS HUGEINT) * 1000000000
               + CAST((CAST(whole AS DECIMAL(38, 9)) - trunc(CAST(whole AS DECIMAL(38, 9))))
                      * 1000000000 AS HUGEINT))
        ) // (2 * (CAST(trunc(CAST(whole AS DECIMAL(38, 9))) AS HUGEINT) * 1000000000
                   + CAST((CAST(whole AS DECIMAL(38, 9)) - trunc(CAST(whole AS DECIMAL(38, 9))))
                          * 1000000000 AS HUGEINT)))
        AS DECIMAL(38, 0)) * 0.01 AS DECIMAL(18, 2))
    END
