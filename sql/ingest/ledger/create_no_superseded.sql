-- No key repeats: nothing is superseded (an empty superseded_now, without scanning the ledger).
CREATE OR REPLACE TEMP TABLE superseded_now (
    period_key INTEGER, file_id BIGINT, file_row_number BIGINT, ingestion_id BIGINT
)
