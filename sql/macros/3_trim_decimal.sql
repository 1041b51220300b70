-- A decimal as text without trailing zeros: 1500.000000000 -> '1500', 0.250 -> '0.25'.
CREATE OR REPLACE TEMP MACRO trim_decimal(x) AS
    CASE WHEN contains(CAST(x AS VARCHAR), '.')
         THEN rtrim(rtrim(CAST(x AS VARCHAR), '0'), '.')
         ELSE CAST(x AS VARCHAR) END
