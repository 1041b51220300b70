-- A whole file that cannot be read, or lacks a required column.
INSERT INTO finance_quarantine (kind, reason, file_path, file_row_number, record, detail)
VALUES ($kind, $reason, $file_path, NULL, NULL, $detail)
