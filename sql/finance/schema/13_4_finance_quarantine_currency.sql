-- Held finance rows gained typed fields for the reports, here the row's currency: a warehouse
-- written before has the table without the column (NULL until the next finance run, which
-- rewrites the table).
ALTER TABLE finance_quarantine ADD COLUMN IF NOT EXISTS currency VARCHAR
