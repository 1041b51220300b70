-- ceil(a / b) for non-negative DECIMAL(38, 9) a and positive b, on exact scaled integers.
CREATE OR REPLACE TEMP MACRO ceil_div(a, b) AS
    (CAST(CAST(a AS DECIMAL(38, 9)) * 1000000000 AS HUGEINT)
     + CAST(CAST(b AS DECIMAL(38, 9)) * 1000000000 AS HUGEINT) - 1)
    // CAST(CAST(b AS DECIMAL(38, 9)) * 1000000000 AS HUGEINT)
