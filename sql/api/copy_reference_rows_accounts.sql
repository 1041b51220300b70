-- The references in force as the last rating left them (the analysts' copy), from which
-- rating.ingest.references brings newer landed versions into force as the next rating would.
INSERT INTO reference_rows_accounts BY NAME SELECT * FROM published.reference_rows_accounts
