-- Quarantined and held usage by reason, as the run summaries count it: rows, and apart from them
-- the files that could not be read at all (one row each without a row number: a reason, not a row).
SELECT reason,
       count(file_row_number) AS rows,
       count(*) - count(file_row_number) AS unreadable_files
FROM usage_quarantine
GROUP BY reason
ORDER BY count(*) DESC, reason
