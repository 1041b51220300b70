-- One row per adjust run of a closed period: re-rated (or not touched), compared with what was
-- invoiced, revisions issued and differences kept pending.
CREATE TABLE IF NOT EXISTS adjustment_runs (
    run_id                VARCHAR NOT NULL,   -- a UUID per run (rerated_lines.run_id)
    billing_period        VARCHAR NOT NULL,   -- YYYY-MM, a closed period
    mode                  VARCHAR NOT NULL,   -- 'nightly' (within the lookback) | 'on_purpose'
                                              -- (adjust --period P) | 'hold_only' (beyond the
                                              -- lookback: nothing issued) | 'dry_run'
    started_at            TIMESTAMP NOT NULL, -- UTC (wall clock)
    finished_at           TIMESTAMP NOT NULL, -- UTC (wall clock)
    through_ingestion_id  BIGINT,             -- the latest ingestion the ledger held
                                              -- (ingestions.ingestion_id); NULL: none
    catalog_fingerprint   VARCHAR,            -- the period's catalog fingerprint as re-rated;
                                              -- NULL: not given
    lookback_position     INTEGER,            -- 1: the latest closed period, 2: the one
                                              -- before...; NULL: not closed
    outcome               VARCHAR NOT NULL,   -- 'unchanged' (not touched) | 'no_difference' |
                                              -- 'issued' | 'carried' (only below_threshold or
                                              -- net_zero pending) | 'held' (something pending
                                              -- for a person) | 'stopped_by_guard'
    revisions_issued      INTEGER NOT NULL,   -- period_adjustments rows this run wrote
    amount_issued         DECIMAL(38, 2) NOT NULL,  -- their amount_net summed (signed; mixed
                                                    -- currencies added as numbers)
    amount_pending        DECIMAL(38, 2) NOT NULL,  -- pending_adjustments.amount_delta summed
                                                    -- (signed)
    findings              VARCHAR,            -- what the guard or a period hold found; NULL:
                                              -- nothing
    held_usage            STRUCT(reason VARCHAR, "rows" BIGINT, late_rows BIGINT,
                                 late_files VARCHAR[])[],
                                              -- the usage its re-rate held, per reason
                                              -- (usage_outcomes): rows, those that arrived
                                              -- after the close and their files; NULL: not
                                              -- re-rated (unchanged)
    catalog_accepted      BOOLEAN,            -- it re-rated and billed with
                                              -- catalog_fingerprint (nothing held it for its
                                              -- catalog); NULL: not re-rated (unchanged)
    catalog_digest        VARCHAR,            -- sha256 of the whole catalog the run had
                                              -- (rating_runs.catalog_fingerprint's); NULL:
                                              -- predates the column
    snapshot_kept         BOOLEAN             -- it gave the period (which had none) a
                                              -- snapshot of the references it re-rated with:
                                              -- all of them with --accept-changes, else (its
                                              -- re-rate reproduced the invoice lines) only
                                              -- the subscriptions and account links that
                                              -- produced an invoice line; NULL: predates the
                                              -- column
)
