-- document_kind came with adjustments (issue 13): a warehouse written before has odoo_postings
-- without it (posting names every column it writes).
ALTER TABLE odoo_postings ADD COLUMN IF NOT EXISTS document_kind VARCHAR
