-- A landed file changed or is gone: its rows are read again, or forgotten.
DELETE FROM landed_accounts WHERE file_path = $file_path
