-- A quantity as people read it on an invoice, the way the tier text writes it too: thousands
-- separated, no trailing zeros (8398599.500000000 -> '8,398,599.5').
CREATE OR REPLACE TEMP MACRO format_quantity(x) AS
    CASE WHEN x < 0 THEN '-' ELSE '' END
    || format('{:,}', CAST(trunc(abs(x)) AS HUGEINT))
    || CASE WHEN abs(x) = trunc(abs(x)) THEN ''
            ELSE '.' || split_part(trim_decimal(abs(x)), '.', 2) END
