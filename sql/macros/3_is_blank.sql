-- NULL, empty or only spaces. The CASE keeps trim() (slow: seconds on ten million rows) off
-- every string that starts with a visible character.
CREATE OR REPLACE TEMP MACRO is_blank(x) AS
    CASE WHEN x IS NULL THEN true
         WHEN x >= '!' THEN false
         ELSE trim(x) = '' END
