-- The published ledger's manifest: which landed usage files it holds, so that the others are
-- read from the landing zone as not yet ingested (rating.ingest.manifest compares them).
INSERT INTO ledger.ingested_files BY NAME SELECT * FROM published_ledger.ingested_files
