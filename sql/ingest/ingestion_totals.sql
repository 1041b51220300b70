-- All ingestions together: files, and rows by what they became when they landed.
SELECT count(*) AS ingestions, coalesce(sum(files_new), 0) AS files,
       coalesce(sum(rows_read), 0) AS rows_read,
       coalesce(sum(rows_accepted), 0) AS rows_accepted,
       coalesce(sum(rows_superseded), 0) AS rows_superseded,
       coalesce(sum(rows_quarantined), 0) AS rows_quarantined
FROM ingestions
