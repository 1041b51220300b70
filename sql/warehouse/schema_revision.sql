-- The schema revision of the newest fusion-rating that wrote the warehouse (NULL: none recorded).
SELECT max(revision) AS revision FROM schema_revision
