-- Which schema files last ran against this warehouse: a run whose schema files are the same
-- (their fingerprint) skips them and the comments, which are then as the files say.
CREATE TABLE IF NOT EXISTS schema_applied (
    fingerprint  VARCHAR NOT NULL  -- sha256 (hex) of every sql/<stage>/schema/*.sql file's
                                   -- path and text, in creation order; one row
)
