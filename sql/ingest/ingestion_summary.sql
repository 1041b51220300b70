SELECT files_new, files_unreadable, rows_read, rows_accepted, rows_superseded,
       rows_quarantined, earlier_rows_superseded, rows_redecided, periods
FROM ingestions WHERE ingestion_id = $ingestion_id
