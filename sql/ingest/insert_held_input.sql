INSERT INTO held_inputs VALUES ($kind, $file_path, $reason, $detail, $in_force, $content_hash)
