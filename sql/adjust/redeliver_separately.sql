-- The period's credits that the later invoice carrying them can no longer carry (the view
-- credits_to_redeliver says when) become documents of their own, posted with the period's
-- adjustments, and that invoice is posted without them. The only change ever made to an
-- issued revision; its lines and amounts stay as issued.
UPDATE period_adjustments AS a
SET delivery = 'separate', target_period = NULL,
    reason_text = a.reason_text || '; a document of its own: its ' || a.target_period
        || ' invoice ' || r.target_key || ' came to total '
        || CAST(r.target_total AS VARCHAR) || ' with the adjustments it carries'
FROM credits_to_redeliver r
WHERE r.adjustment_key = a.adjustment_key
  AND r.billing_period = $billing_period
