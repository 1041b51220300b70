-- Rows replaced by a later push of the same (service, counter_id): the latest pushed_at wins;
-- on equal pushed_at the row from the file whose path sorts last wins, then the later row in
-- that file. A blank counter_id or service is no key: such rows are quarantined, never
-- deduplicated against each other. Keys are first compared by a 64-bit hash (cheap to sort); only rows whose hash
-- repeats are then ranked on their exact keys, so a hash collision costs a little work and
-- never a wrong result, and the full data is never sorted.
CREATE OR REPLACE TEMP TABLE superseded_rows AS
WITH keys AS NOT MATERIALIZED (
    {landed_source}
),
repeated AS (
    -- Sorting the 64-bit hashes and comparing neighbours is cheaper than grouping ten million
    -- distinct keys.
    SELECT DISTINCT key_hash
    FROM (
        SELECT key_hash, key_hash = lag(key_hash) OVER (ORDER BY key_hash) AS repeats
        FROM (SELECT hash(service, counter_id) AS key_hash
              FROM keys
              WHERE NOT is_blank(service)
                AND NOT is_blank(counter_id) AND pushed_at IS NOT NULL)
    )
    WHERE repeats
)
SELECT k.file_id, k.file_row_number
FROM keys k
JOIN landed_file_checks f ON f.file_id = k.file_id
WHERE k.pushed_at IS NOT NULL AND NOT is_blank(k.service)
  AND NOT is_blank(k.counter_id)
  AND hash(k.service, k.counter_id) IN (SELECT key_hash FROM repeated)
QUALIFY row_number() OVER (PARTITION BY k.service, k.counter_id
                           ORDER BY k.pushed_at DESC, f.file_rank DESC,
                                    k.file_row_number DESC) > 1
