-- Unqualified names resolve to the rerate schema first (usage_rollups, rated_charges,
-- invoice_lines), then to main; temp tables (cat_*, ref_*) and ledger.* resolve as before.
-- Not undone by ROLLBACK: rating.warehouse resets it.
SET search_path = 'rerate,main'
