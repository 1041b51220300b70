-- Facts about the ledger itself. `hash_canary` is DuckDB's hash() of a fixed key when the
-- ledger was created: key_hash values are comparable only while hash() gives the same answer
-- (DuckDB does not promise it across releases), so rating.ingest.ledger checks it on every attach.
CREATE TABLE IF NOT EXISTS ledger.ledger_meta (
    name   VARCHAR NOT NULL,
    value  VARCHAR NOT NULL
)
