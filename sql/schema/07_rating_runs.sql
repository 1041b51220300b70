-- One row per rating run: the conservation invariant's figures and what was written.
-- The only table with wall-clock times; every other table is a pure function of the inputs.
CREATE TABLE IF NOT EXISTS rating_runs (
    run_id             VARCHAR NOT NULL,
    billing_period     VARCHAR NOT NULL,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP NOT NULL,
    files_found        BIGINT NOT NULL,
    files_unreadable   BIGINT NOT NULL,
    rows_read          BIGINT NOT NULL,
    rows_accepted      BIGINT NOT NULL,
    rows_superseded    BIGINT NOT NULL,
    rows_quarantined   BIGINT NOT NULL,
    rated_lines        BIGINT NOT NULL,
    invoice_lines      BIGINT NOT NULL,
    amount_total       DECIMAL(38, 2)
)
