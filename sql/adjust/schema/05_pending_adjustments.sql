-- Differences found and not issued, per line, with why: carried forward (below the
-- threshold, net zero) or waiting for something or someone. Never dropped: replaced per
-- period by each adjust run, which computes them again from the tables.
CREATE TABLE IF NOT EXISTS pending_adjustments (
    billing_period   VARCHAR NOT NULL,    -- YYYY-MM, a closed period
    invoice_key      VARCHAR NOT NULL,    -- the original invoice (invoice_lines.invoice_key)
    subscription_id  VARCHAR NOT NULL,    -- invoice_lines.subscription_id
    charge_id        VARCHAR NOT NULL,    -- invoice_lines.charge_id
    group_value      VARCHAR,             -- the group_by dimension's value; NULL: no group
    line_kind        VARCHAR NOT NULL,    -- 'usage' | 'minimum_true_up'
    currency         VARCHAR NOT NULL,    -- ISO code of the amounts
    old_quantity     DECIMAL(38, 9) NOT NULL, -- as invoiced (last revision, else original)
    new_quantity     DECIMAL(38, 9) NOT NULL, -- as re-rated
    old_amount       DECIMAL(38, 2) NOT NULL, -- invoiced (original plus issued deltas), cents
    new_amount       DECIMAL(38, 2) NOT NULL, -- re-rated, cents
    amount_delta     DECIMAL(38, 2) NOT NULL, -- new_amount less old_amount: what is pending
    why              VARCHAR NOT NULL,    -- below_threshold | net_zero | beyond_lookback |
                                          -- earlier_revision_not_posted | original_not_posted |
                                          -- original_changed_after_posting |
                                          -- no_original_invoice |
                                          -- held_usage | catalog_changed | no_snapshot |
                                          -- guard | unpriced (rating.adjust.decide.Why)
    detail           VARCHAR NOT NULL,    -- the invoice's net and what it waits for
    source_files     VARCHAR[] NOT NULL,  -- the usage files behind the change
                                          -- (landed_files.file_path)
    run_id           VARCHAR NOT NULL     -- the run that found it (adjustment_runs.run_id)
)
