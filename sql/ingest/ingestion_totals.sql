-- All ingestions together: files, and rows by what they became when they landed.
SELECT count(*), coalesce(sum(files_new), 0), coalesce(sum(rows_read), 0),
       coalesce(sum(rows_accepted), 0), coalesce(sum(rows_superseded), 0),
       coalesce(sum(rows_quarantined), 0)
FROM ingestions
