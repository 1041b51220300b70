DELETE FROM reference_files WHERE kind = $kind AND file_path = $file_path
