DELETE FROM landed_files
WHERE $reset OR file_id IN (SELECT file_id FROM ledger.ingested_files
                            WHERE ingestion_id > $synced)
