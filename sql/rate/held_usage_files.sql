-- The usage files held as of the latest ingestion.
SELECT kind, file_path, reason, detail, in_force, content_hash FROM held_inputs
WHERE kind = 'usage'
ORDER BY file_path, reason
