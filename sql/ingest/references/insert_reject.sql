INSERT INTO reference_rejects VALUES ($kind, $file_path, $line, $record, $detail)
