-- A run's held usage by reason (adjustment_runs.held_usage), for its report.
SELECT h.reason, h."rows" AS held_rows, h.late_rows, h.late_files
FROM (SELECT unnest(held_usage) AS h FROM adjustment_runs WHERE run_id = $run_id)
ORDER BY h.reason
