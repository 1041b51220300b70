-- Whether the period's pending differences may be issued now although nothing touched it
-- (adjust/period_touched.sql sees ingestions and catalog changes only): one waits for a
-- posting (which happens in Odoo, not in the ledger), for the lookback (a newer period
-- closed), or was carried below a threshold that no longer holds it ($threshold; 0 with
-- --ignore-threshold), or an invoice without an original going up (held by versions that
-- could not bill it alone). What waits for a person (guard, catalog_changed, no_snapshot,
-- unpriced) waits for `adjust --period P`, which always re-rates.
WITH keys AS (
    SELECT invoice_key, bool_or(why IN ('original_not_posted', 'earlier_revision_not_posted',
                                        'beyond_lookback')) AS waits,
           bool_and(why = 'below_threshold') AS carried, abs(sum(amount_delta)) AS net,
           bool_and(why = 'no_original_invoice') AND sum(amount_delta) > 0 AS billable_alone
    FROM pending_adjustments
    WHERE billing_period = $billing_period
    GROUP BY invoice_key
)
SELECT coalesce(bool_or(waits OR (carried AND net >= $threshold) OR billable_alone), false)
           AS needs_rerun
FROM keys
