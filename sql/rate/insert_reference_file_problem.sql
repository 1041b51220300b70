INSERT INTO reference_quarantine VALUES ($kind, $reason, $file_path, NULL, $detail)
