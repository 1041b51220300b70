-- Release a held file: the held_inputs row names the content being let go.
INSERT INTO released_inputs
SELECT kind, file_path, content_hash, $reason, $released_at
FROM held_inputs
WHERE kind = $kind AND file_path = $file_path
