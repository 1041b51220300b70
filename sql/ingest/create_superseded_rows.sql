-- Rows replaced by a later push of the same (service, counter_id): the latest pushed_at wins;
-- on equal pushed_at the row from the file whose path sorts last wins, then the later row in
-- that file. Only keys seen more than once are ranked, so the full data is never sorted.
CREATE OR REPLACE TEMP TABLE superseded_rows AS
WITH keys AS (
    {landed_source}
),
repeated AS (
    SELECT service, counter_id
    FROM keys
    WHERE service IS NOT NULL AND counter_id IS NOT NULL AND pushed_at IS NOT NULL
    GROUP BY service, counter_id
    HAVING count(*) > 1
)
SELECT k.file_id, k.file_row_number
FROM keys k
JOIN repeated r ON r.service = k.service AND r.counter_id = k.counter_id
JOIN landed_file_checks f ON f.file_id = k.file_id
WHERE k.pushed_at IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY k.service, k.counter_id
                           ORDER BY k.pushed_at DESC, f.file_rank DESC,
                                    k.file_row_number DESC) > 1
