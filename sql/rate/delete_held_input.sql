DELETE FROM held_inputs WHERE kind = $kind AND file_path = $file_path
