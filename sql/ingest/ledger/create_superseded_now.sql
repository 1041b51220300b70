-- Among the live rows that share a repeated key, every row but the winner is superseded: the
-- latest pushed_at wins; on equal pushed_at the row from the file whose path (relative to the
-- landing root) sorts last, then the later row in that file. The rows are compared on their
-- exact (service, counter_id): a hash collision costs a little work, never a wrong result.
-- Files ingested on different days compete as if they had landed together.
CREATE OR REPLACE TEMP TABLE superseded_now AS
SELECT u.period_key, u.file_id, u.file_row_number, u.ingestion_id
FROM ledger.usage_rows u
JOIN ledger.ingested_files f ON f.file_id = u.file_id
WHERE u.key_hash IN (SELECT key_hash FROM repeated_keys) AND u.status <> 'superseded'
QUALIFY row_number() OVER (PARTITION BY u.service, u.counter_id
                           ORDER BY u.pushed_at DESC, f.file_path DESC,
                                    u.file_row_number DESC) > 1
