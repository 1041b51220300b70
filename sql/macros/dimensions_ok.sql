-- True when `d` is NULL or a JSON object whose values are all strings (the contract's form).
-- CASE, unlike AND, only parses what json_valid accepted.
CREATE OR REPLACE TEMP MACRO dimensions_ok(d) AS
    CASE WHEN d IS NULL THEN true
         WHEN NOT json_valid(d) THEN false
         WHEN json_type(d) <> 'OBJECT' THEN false
         ELSE NOT regexp_matches(json_structure(d),
                                 ':("(NULL|BOOLEAN|UBIGINT|BIGINT|DOUBLE|JSON)"|\[|\{)')
    END
