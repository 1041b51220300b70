-- The fingerprint of the schema files last applied (NULL: none recorded).
SELECT max(fingerprint) AS fingerprint FROM schema_applied
