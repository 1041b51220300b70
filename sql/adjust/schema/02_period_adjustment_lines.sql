-- The lines of each issued adjustment (period_adjustments), per line of the original invoice
-- that changed: old and new quantity and amount, and the difference billed. Lines whose
-- difference is zero are kept here and left off the Odoo document.
CREATE TABLE IF NOT EXISTS period_adjustment_lines (
    adjustment_key  VARCHAR NOT NULL,   -- period_adjustments.adjustment_key
    revision        INTEGER NOT NULL,   -- period_adjustments.revision
    billing_period  VARCHAR NOT NULL,   -- YYYY-MM of the original invoice
    invoice_key     VARCHAR NOT NULL,   -- the original invoice
    line_number     INTEGER NOT NULL,   -- the line's order on the document
    subscription_id VARCHAR,            -- the line's subscription (rated_charges)
    charge_id       VARCHAR,            -- the line's charge (catalog_charges)
    group_value     VARCHAR,            -- the line's group, if the charge groups
    line_kind       VARCHAR,            -- usage, minimum true-up, ... (invoice_lines.line_kind)
    product_code    VARCHAR NOT NULL,   -- the Odoo product (catalog_charges.product_code)
    description     VARCHAR NOT NULL,   -- what the customer reads on the line
    old_quantity    DECIMAL(38, 9),     -- invoiced before this revision
    new_quantity    DECIMAL(38, 9),     -- re-rated
    old_amount      DECIMAL(38, 2),     -- invoiced before this revision
    new_amount      DECIMAL(38, 2),     -- re-rated
    amount_delta    DECIMAL(38, 2) NOT NULL  -- new_amount - old_amount (signed)
)
