-- The catalog digest recorded when the schema files last ran (NULL: none recorded).
SELECT max(catalog_digest) AS catalog_digest FROM schema_applied
