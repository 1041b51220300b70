-- One row per document of an invoice a person changed in Odoo after we posted it
-- (odoo_postings.state changed_after_posting), settled by `fusion-rating adjust --period P
-- --settle KEY --reason TEXT`: what Odoo held then, and the settlement revision that brings it
-- back to what we rated. From then on the document is ours as Odoo holds it
-- (settled_by_adjustment) and reconciliation_odoo compares Odoo with odoo_untaxed here.
CREATE TABLE IF NOT EXISTS settled_documents (
    document_key    VARCHAR NOT NULL,  -- the changed document's key (odoo_postings.invoice_key:
                                       -- the original invoice or one of its revisions)
    invoice_key     VARCHAR NOT NULL,  -- the original invoice (invoice_lines.invoice_key)
    billing_period  VARCHAR NOT NULL,  -- YYYY-MM, the original (closed) period
    odoo_move_id    BIGINT NOT NULL,   -- Odoo's account.move id
    odoo_number     VARCHAR,           -- its number (INV/2026/00047); NULL: Odoo gave none
    odoo_untaxed    DECIMAL(38, 2) NOT NULL, -- its untaxed total in Odoo when settled, in cents
                                             -- (positive for a credit note, as Odoo's is)
    adjustment_key  VARCHAR,           -- the settlement revision (period_adjustments,
                                       -- reason 'settlement'); NULL: what Odoo billed and what
                                       -- we rated net to zero, no document
    reason_text     VARCHAR NOT NULL,  -- the person's reason (--reason)
    settled_at      TIMESTAMP NOT NULL -- UTC (wall clock)
)
