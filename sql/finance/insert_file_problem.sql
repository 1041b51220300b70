-- A whole file that cannot be read, or lacks a required column.
INSERT INTO finance_quarantine VALUES ($kind, $reason, $file_path, NULL, NULL, $detail)
