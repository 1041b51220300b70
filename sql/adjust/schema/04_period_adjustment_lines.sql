-- The lines of each issued revision: per invoice line that changed, what was invoiced before
-- (the original plus earlier revisions) and what it is re-rated to. A zero amount_delta line
-- (a quantity within the included units) is recorded but left off the Odoo document.
CREATE TABLE IF NOT EXISTS period_adjustment_lines (
    adjustment_key   VARCHAR NOT NULL,    -- period_adjustments.adjustment_key
    revision         INTEGER NOT NULL,    -- period_adjustments.revision
    billing_period   VARCHAR NOT NULL,    -- YYYY-MM, the original period
    invoice_key      VARCHAR NOT NULL,    -- the original invoice (invoice_lines.invoice_key)
    line_number      INTEGER NOT NULL,    -- 1-based within the revision
    subscription_id  VARCHAR NOT NULL,    -- invoice_lines.subscription_id
    charge_id        VARCHAR NOT NULL,    -- invoice_lines.charge_id
    group_value      VARCHAR,             -- the group_by dimension's value; NULL: no group
    line_kind        VARCHAR NOT NULL,    -- 'usage' | 'minimum_true_up' | 'settlement' (one
                                          -- per product: Odoo's amount brought to ours)
    product_code     VARCHAR NOT NULL,    -- Odoo product default_code
    description      VARCHAR NOT NULL,    -- the line's text on the document ("Late usage for
                                          -- October 2026, Block storage: 1,204 GB-month, from
                                          -- 48,310 to 49,514")
    old_quantity     DECIMAL(38, 9) NOT NULL, -- the quantity of the last revision that touched
                                              -- the line, else the original's; 0: none
    new_quantity     DECIMAL(38, 9) NOT NULL, -- the re-rated quantity; 0: the line is gone
    old_amount       DECIMAL(38, 2) NOT NULL, -- invoiced before, in cents (original plus
                                              -- earlier revisions' deltas)
    new_amount       DECIMAL(38, 2) NOT NULL, -- re-rated, in cents
    amount_delta     DECIMAL(38, 2) NOT NULL  -- new_amount less old_amount (signed)
)
