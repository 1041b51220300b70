DELETE FROM reference_rejects WHERE kind = $kind AND file_path = $file_path
