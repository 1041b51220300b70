-- Usage files the ledger has ingested (an unreadable one is tried again, so it is not known).
SELECT file_path FROM landed_files WHERE status = 'ingested'
