-- One row per rating of a period: what the ledger held for it, what was rated and held, and
-- what the guard found. The only table with wall-clock times besides the ledger's ingestions.
CREATE TABLE IF NOT EXISTS rating_runs (
    run_id                 VARCHAR NOT NULL, -- a UUID per rating
    billing_period         VARCHAR NOT NULL, -- YYYY-MM in the billing time zone
    started_at             TIMESTAMP NOT NULL, -- UTC (wall clock)
    finished_at            TIMESTAMP NOT NULL, -- UTC (wall clock)
    through_ingestion_id   BIGINT,           -- the latest ingestion the ledger held
                                             -- (ingestions.ingestion_id); NULL: none yet
    rows_landed            BIGINT NOT NULL,  -- the period's ledger rows
                                             -- = accepted + superseded + quarantined
    rows_accepted          BIGINT NOT NULL,  -- valid, latest push: = rated + held
    rows_superseded        BIGINT NOT NULL,  -- replaced by a later push of their counter
    rows_quarantined       BIGINT NOT NULL,  -- quarantined at ingestion
    rows_rated             BIGINT NOT NULL,  -- accepted rows rated into usage_rollups
    rows_held              BIGINT NOT NULL,  -- accepted rows held at rating (usage_quarantine,
                                             -- stage 'rating')
    files_held             BIGINT NOT NULL,  -- usage and reference files held (held_inputs)
    rated_lines            BIGINT NOT NULL,  -- rated_charges rows of the period
    invoice_lines          BIGINT NOT NULL,  -- invoice_lines rows of the period
    amount_total           DECIMAL(38, 2),   -- the period's invoice lines' amounts summed
                                             -- (mixed currencies added as numbers)
    previous_amount_total  DECIMAL(38, 2),   -- what the period came to before this run;
                                             -- NULL: first rating, or a closed period
    catalog_fingerprint    VARCHAR NOT NULL, -- sha256 of the catalog as rated
    outcome                VARCHAR NOT NULL, -- 'rated', 'rated_with_accepted_changes' (the guard
                                             -- objected; the run was told to go on),
                                             -- 'stopped_by_guard' (nothing else written),
                                             -- 'closed_unchanged' (late usage recorded)
    guard_findings         VARCHAR,          -- what the guard found (NULL: nothing)
    period_catalog_fingerprint VARCHAR       -- md5 of the catalog rows the period's plans use,
                                             -- with the prices in force on its first day
                                             -- (rate/period_catalog_fingerprint.sql); NULL: a
                                             -- closed period's run, or a run before it existed
)
