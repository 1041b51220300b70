-- original_move_id came with adjustments (issue 13): a warehouse written before has reconciliation_odoo
-- without it (posting names every column it writes).
ALTER TABLE reconciliation_odoo ADD COLUMN IF NOT EXISTS original_move_id BIGINT
