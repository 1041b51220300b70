-- billing_month (billing_period as a DATE) came after this table: a warehouse written
-- before has the table without it (rate, finance and posting name every column they write).
ALTER TABLE invoice_lines ADD COLUMN IF NOT EXISTS billing_month DATE
