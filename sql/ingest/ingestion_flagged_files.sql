-- The files of one ingestion more than half of whose rows were quarantined at ingestion: a
-- fault of the whole file (a column's type, epoch numbers, a missing column) quarantines every
-- row that has a value, and its rows without one fall to other reasons, so "every row" would
-- miss it; a few bad rows in a good file stay in the counts by reason. The first $limit files
-- by path, each with its reasons (largest first) and the detail of one row of the largest.
WITH by_reason AS (
    SELECT file_id, reason, count(*) AS row_count, min(detail) AS example
    FROM usage_quarantine
    WHERE stage = 'ingestion' AND ingestion_id = $ingestion_id
      AND file_row_number IS NOT NULL
    GROUP BY ALL
),
by_file AS (
    SELECT f.file_path, f.rows_in_file, sum(r.row_count) AS rows_quarantined,
           list(struct_pack(reason := r.reason, row_count := r.row_count)
                ORDER BY r.row_count DESC, r.reason) AS reasons,
           list(r.example ORDER BY r.row_count DESC, r.reason)[1] AS example
    FROM by_reason r
    JOIN landed_files f ON f.file_id = r.file_id
    GROUP BY f.file_path, f.rows_in_file
)
SELECT file_path, rows_in_file, rows_quarantined, reasons, example,
       count(*) OVER () AS files_flagged
FROM by_file
WHERE 2 * rows_quarantined > rows_in_file
ORDER BY file_path
LIMIT $limit
