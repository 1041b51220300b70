-- The period's dry-run payloads about to be written again: all of them, or only its
-- adjustments' when the posting is of the adjustments alone ($adjustments_only, the nightly's),
-- so that the invoices' payloads stay in the outbox, where they count as posted.
DELETE FROM odoo_outbox
WHERE billing_period = $billing_period
  AND (NOT $adjustments_only OR invoice_key IN (
      SELECT adjustment_key FROM period_adjustments WHERE billing_period = $billing_period))
