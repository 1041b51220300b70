-- An ingestion id above every one in the published ledger, for the rows of files it does not
-- hold yet, so that the re-push settlement sees them as the latest.
SELECT coalesce(max(ingestion_id), 0) + 1 AS ingestion_id FROM published_ledger.ingestions
