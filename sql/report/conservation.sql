-- The conservation invariant, recomputed from what the validation stage wrote: rows read
-- (landed_files) against accepted + superseded + quarantined (validated_usage).
SELECT (SELECT coalesce(sum(rows_in_file), 0) FROM landed_files WHERE status = 'read'),
       (SELECT coalesce(sum(counter_rows), 0) FROM validated_usage WHERE status = 'accepted'),
       (SELECT coalesce(sum(counter_rows), 0) FROM validated_usage WHERE status = 'superseded'),
       (SELECT coalesce(sum(counter_rows), 0) FROM validated_usage WHERE status = 'quarantined')
