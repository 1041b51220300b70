-- Short lines are padded with NULLs and undecodable lines set aside (insert_raw_csv.sql), so
-- that a problem of one line stays with that line instead of failing the whole file.
DESCRIBE SELECT * FROM read_csv($file, all_varchar = true, header = true, auto_detect = true,
                                null_padding = true, store_rejects = true,
                                rejects_table = 'csv_reject_errors',
                                rejects_scan = 'csv_reject_scans')
