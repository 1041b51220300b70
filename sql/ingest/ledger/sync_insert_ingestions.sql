INSERT INTO ingestions
SELECT * FROM ledger.ingestions WHERE ingestion_id > $synced ORDER BY ingestion_id
