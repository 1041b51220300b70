-- Ingestions after the previous rating that changed the period's rows.
SELECT ingestion_id, rows_read, earlier_rows_superseded
FROM ingestions
WHERE ingestion_id > $since AND list_contains(periods, $billing_period)
ORDER BY ingestion_id
