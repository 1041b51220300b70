-- One row per rating of a period: what the ledger held for it, what was rated and held, and
-- what the guard found. The only table with wall-clock times besides the ledger's ingestions.
CREATE TABLE IF NOT EXISTS rating_runs (
    run_id                 VARCHAR NOT NULL,
    billing_period         VARCHAR NOT NULL,
    started_at             TIMESTAMP NOT NULL,
    finished_at            TIMESTAMP NOT NULL,
    through_ingestion_id   BIGINT,           -- the latest ingestion the ledger held
    rows_landed            BIGINT NOT NULL,  -- the period's ledger rows:
    rows_accepted          BIGINT NOT NULL,  --   = accepted + superseded + quarantined
    rows_superseded        BIGINT NOT NULL,
    rows_quarantined       BIGINT NOT NULL,  -- at ingestion
    rows_rated             BIGINT NOT NULL,  -- accepted = rated + held
    rows_held              BIGINT NOT NULL,  -- at rating (usage_quarantine, stage 'rating')
    files_held             BIGINT NOT NULL,  -- usage and reference files held (held_inputs)
    rated_lines            BIGINT NOT NULL,
    invoice_lines          BIGINT NOT NULL,
    amount_total           DECIMAL(38, 2),
    previous_amount_total  DECIMAL(38, 2),   -- what the period came to before this run
    catalog_fingerprint    VARCHAR NOT NULL, -- sha256 of the catalog as rated
    outcome                VARCHAR NOT NULL, -- 'rated', 'rated_with_accepted_changes' (the guard
                                             -- objected; the run was told to go on),
                                             -- 'stopped_by_guard' (nothing else written),
                                             -- 'closed_unchanged' (late usage recorded)
    guard_findings         VARCHAR           -- what the guard found (NULL: nothing)
)
