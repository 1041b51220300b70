-- The conservation invariant of every ingestion, recomputed from the tables: the rows of its
-- files (landed_files) = accepted + superseded + quarantined (ingestions, as classified when it
-- ran). One row per ingestion that breaks it (none: the invariant holds).
SELECT i.ingestion_id, i.rows_read,
       i.rows_accepted + i.rows_superseded + i.rows_quarantined AS classified,
       coalesce(f.rows_in_files, 0) AS rows_in_files
FROM ingestions i
LEFT JOIN (SELECT ingestion_id, sum(rows_in_file) AS rows_in_files
           FROM landed_files WHERE status = 'ingested' GROUP BY ingestion_id) f
       ON f.ingestion_id = i.ingestion_id
WHERE i.rows_read <> i.rows_accepted + i.rows_superseded + i.rows_quarantined
   OR i.rows_read <> coalesce(f.rows_in_files, 0)
ORDER BY i.ingestion_id
