-- Whether the last ingestion mirrored is the ledger's ingestion of that id (0: none yet).
SELECT $synced = 0 OR EXISTS (
    SELECT 1 FROM ingestions w
    JOIN ledger.ingestions l ON l.ingestion_id = w.ingestion_id
    WHERE w.ingestion_id = $synced AND l.started_at = w.started_at AND l.kind = w.kind)
