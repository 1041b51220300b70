-- The catalog the published ledger's quarantined rows were last decided with: when the catalog
-- in force differs, the next ingestion decides its catalog reasons again, and so does
-- current_usage on its scratch ledger (rating.ingest.redecision).
SELECT value FROM published_ledger.ledger_meta WHERE name = 'catalog_fingerprint'
