-- Whether the period's pending differences may be decided otherwise now although nothing
-- touched it (adjust/period_touched.sql sees ingestions and catalog changes only):
-- - a key waits for Odoo (original_changed_after_posting, no_original_invoice,
--   original_not_posted, earlier_revision_not_posted) and what it waits on is not as it was:
--   the why the posting states give it now (as adjust/key_differences.sql reads them:
--   $posted_states, $changed_state, $outbox_posts) is another, or a posting step of the key or
--   of one of its revisions was recorded since the period's last adjust run;
-- - a key waits for the lookback, and the period is within it now (a larger lookback);
-- - a key was carried below a threshold that no longer holds it ($threshold; 0 with
--   --ignore-threshold);
-- - a key without an original invoice going up, held by versions that could not bill it
--   alone (this one issues it, so it is looked at once more).
-- - a credit the period issued onto a later invoice (delivery 'next_period') is to be made a
--   document of its own by adjust/redeliver_separately.sql (which the re-rate runs): the view
--   credits_to_redeliver lists it (posting holds that invoice as not_postable, the whole
--   invoice unbilled, until this period is re-rated).
-- What waits for a person's look at the whole period (guard, catalog_changed, no_snapshot,
-- unpriced) waits for `adjust --period P`, which always re-rates.
WITH last_run AS (
    SELECT finished_at
    FROM adjustment_runs
    WHERE billing_period = $billing_period AND mode <> 'dry_run'
    ORDER BY finished_at DESC, run_id DESC
    LIMIT 1
),
keys AS (
    -- One decision per key: its lines share their why.
    SELECT invoice_key, min(why) AS why, bool_and(why = 'below_threshold') AS carried,
           abs(sum(amount_delta)) AS net, sum(amount_delta) AS signed_net,
           bool_and(why = 'no_original_invoice') AND sum(amount_delta) > 0 AS billable_alone
    FROM pending_adjustments
    WHERE billing_period = $billing_period
    GROUP BY invoice_key
),
posted AS (
    SELECT invoice_key FROM odoo_postings WHERE list_contains($posted_states, state)
    UNION
    SELECT invoice_key FROM odoo_outbox WHERE $outbox_posts AND problem IS NULL
),
documents AS (
    -- Each waiting key's Odoo documents: the original and its revisions, a revision delivered
    -- on the next period's invoice (delivery 'next_period') being that invoice.
    SELECT k.invoice_key, k.invoice_key AS document_key FROM keys k
    UNION ALL
    SELECT a.invoice_key,
           CASE WHEN a.delivery = 'next_period'
                THEN a.customer_key || '/' || a.service || '/' || a.target_period
                ELSE a.adjustment_key END
    FROM period_adjustments a
    WHERE a.invoice_key IN (SELECT invoice_key FROM keys)
),
waiting AS (
    SELECT k.invoice_key, k.why,
           CASE WHEN EXISTS (SELECT 1 FROM documents d JOIN odoo_postings p
                                 ON p.invoice_key = d.document_key
                             WHERE d.invoice_key = k.invoice_key
                               AND p.state = $changed_state)
                    THEN 'original_changed_after_posting'
                WHEN NOT EXISTS (SELECT 1 FROM invoice_lines l
                                 WHERE l.billing_period = $billing_period
                                   AND l.invoice_key = k.invoice_key)
                    -- as rating.adjust.decide: without an original, a credit is kept until
                    -- a supplementary invoice of the key's own is issued (a credit note
                    -- reverses it), and an increase stands alone (it waits only for its
                    -- revisions)
                    THEN CASE WHEN k.signed_net < 0
                                   AND NOT EXISTS (
                                       SELECT 1 FROM period_adjustments a
                                       WHERE a.invoice_key = k.invoice_key
                                         AND a.delivery = 'separate'
                                         AND a.document_kind = 'supplementary_invoice')
                                  THEN 'no_original_invoice'
                              WHEN EXISTS (SELECT 1 FROM documents d
                                           WHERE d.invoice_key = k.invoice_key
                                             AND d.document_key <> k.invoice_key
                                             AND d.document_key NOT IN (
                                                 SELECT invoice_key FROM posted))
                                  THEN 'earlier_revision_not_posted'
                              ELSE 'nothing' END
                WHEN k.invoice_key NOT IN (SELECT invoice_key FROM posted)
                    THEN 'original_not_posted'
                WHEN EXISTS (SELECT 1 FROM documents d
                             WHERE d.invoice_key = k.invoice_key
                               AND d.document_key <> k.invoice_key
                               AND d.document_key NOT IN (SELECT invoice_key FROM posted))
                    THEN 'earlier_revision_not_posted'
                ELSE 'nothing' END AS why_now,
           EXISTS (SELECT 1 FROM documents d JOIN odoo_postings p
                       ON p.invoice_key = d.document_key
                   WHERE d.invoice_key = k.invoice_key
                     AND p.updated_at > (SELECT finished_at FROM last_run)) AS posting_since
    FROM keys k
    WHERE k.why IN ('original_changed_after_posting', 'no_original_invoice',
                    'original_not_posted', 'earlier_revision_not_posted')
)
SELECT coalesce((SELECT bool_or(why = 'beyond_lookback' OR (carried AND net >= $threshold)
                         OR billable_alone)
                 FROM keys), false)
       OR coalesce((SELECT bool_or(why_now <> why OR coalesce(posting_since, false))
                    FROM waiting), false)
       OR EXISTS (SELECT 1 FROM credits_to_redeliver
                  WHERE billing_period = $billing_period) AS needs_rerun
