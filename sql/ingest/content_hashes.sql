-- The sha256 of each file's bytes, read through DuckDB (object stores).
SELECT filename, sha256(content) AS content_hash FROM read_blob($files)
