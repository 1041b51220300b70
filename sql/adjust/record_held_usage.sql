-- The usage of the period the re-rate held (TEMP usage_outcomes: no subscription, unknown
-- account...), by reason, on the run's row: such rows have no invoice line to be pending on.
-- late_rows and late_files: those that arrived after the close ($closed_through), which a
-- person has to look at; the others were held already when the period closed.
UPDATE adjustment_runs
SET held_usage = (
    SELECT coalesce(list(struct_pack(reason := reason, "rows" := held_rows,
                                     late_rows := late_rows, late_files := late_files)
                         ORDER BY reason), [])
    FROM (
        SELECT o.reason,
               CAST(sum(o.counter_rows) AS BIGINT) AS held_rows,
               CAST(coalesce(sum(o.counter_rows) FILTER (
                   WHERE o.raw.ingestion_id > $closed_through), 0) AS BIGINT) AS late_rows,
               coalesce(list(DISTINCT f.file_path ORDER BY f.file_path) FILTER (
                   WHERE o.raw.ingestion_id > $closed_through), []) AS late_files
        FROM usage_outcomes o
        LEFT JOIN landed_files f ON f.file_id = o.file_id
        WHERE o.status = 'quarantined'
        GROUP BY o.reason
    )
)
WHERE run_id = $run_id
