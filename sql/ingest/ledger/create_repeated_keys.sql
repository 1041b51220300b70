-- Key hashes that this ingestion's rows repeat: among themselves, or with a live row (accepted
-- or quarantined: only the latest push is validated) that an earlier ingestion left. Sorting
-- the 64-bit hashes and comparing neighbours is cheaper than grouping millions of distinct
-- keys; earlier rows are only probed when there are any ($with_earlier).
CREATE OR REPLACE TEMP TABLE repeated_keys AS
WITH new_keys AS (
    SELECT key_hash FROM ledger.usage_rows
    WHERE ingestion_id = $ingestion_id AND key_hash IS NOT NULL
)
SELECT DISTINCT key_hash
FROM (SELECT key_hash, key_hash = lag(key_hash) OVER (ORDER BY key_hash) AS repeats
      FROM new_keys)
WHERE repeats
UNION
SELECT DISTINCT key_hash FROM ledger.usage_rows
WHERE $with_earlier AND ingestion_id < $ingestion_id AND key_hash IS NOT NULL
  AND status <> 'superseded' AND key_hash IN (SELECT key_hash FROM new_keys)
