-- The usage files the billing API flushed into the landing zone (usage/service=<svc>/api/...)
-- that the ledger has ingested, with their rows and how many of those were quarantined: what
-- the demo shows after pushing usage through `fusion-rating serve`.
SELECT count(*) AS files,
       coalesce(sum(f.rows_in_file), 0) AS rows_read,
       (SELECT count(*) FROM usage_quarantine q
        WHERE q.file_id IN (SELECT file_id FROM landed_files
                            WHERE file_path LIKE 'usage/service=%/api/%')) AS rows_quarantined
FROM landed_files f
WHERE f.file_path LIKE 'usage/service=%/api/%'
