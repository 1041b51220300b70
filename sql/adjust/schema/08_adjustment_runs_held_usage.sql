-- The usage of the period its re-rate held, by reason (a row without a subscription or an
-- account link has no invoice line, so it cannot be pending on one): per reason the rows
-- held, those of them that arrived after the close (late_rows) and their files (late_files).
-- NULL: the run did not re-rate (unchanged) or predates the column.
ALTER TABLE adjustment_runs ADD COLUMN IF NOT EXISTS held_usage
    STRUCT(reason VARCHAR, "rows" BIGINT, late_rows BIGINT, late_files VARCHAR[])[]
