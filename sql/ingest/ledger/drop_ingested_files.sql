DROP TABLE IF EXISTS ledger.ingested_files
