-- Which schema files last ran against this warehouse: a run whose schema files are the same
-- (their fingerprint) and whose tables, views and comments are still as they left them (the
-- catalog digest) skips them and the comments.
CREATE TABLE IF NOT EXISTS schema_applied (
    fingerprint     VARCHAR NOT NULL,  -- sha256 (hex) of every sql/<stage>/schema/*.sql file's
                                       -- path and text, in creation order; one row
    catalog_digest  VARCHAR            -- md5 (hex) of the documented tables' and views' columns,
                                       -- types, comments and view SQL as that run left them:
                                       -- another process (an older fusion-rating) that
                                       -- replaced a view or dropped a comment since changes
                                       -- it, and the next run applies the files again. NULL:
                                       -- recorded before this column existed
)
