-- A DECIMAL(38, 9) as a HUGEINT count of 1e-9 units, without the overflow of x * 1e9 in
-- DECIMAL arithmetic: whole part and fraction are scaled separately.
CREATE OR REPLACE TEMP MACRO to_scaled(x) AS
    CAST(trunc(CAST(x AS DECIMAL(38, 9))) AS HUGEINT) * 1000000000
    + CAST((CAST(x AS DECIMAL(38, 9)) - trunc(CAST(x AS DECIMAL(38, 9)))) * 1000000000
           AS HUGEINT)
