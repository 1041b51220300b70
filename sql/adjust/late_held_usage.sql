-- The usage of the period that arrived after its close and its latest re-rate held, by reason
-- (no subscription, no account link...): it has no invoice line to be pending on, so the
-- warning check adjustments_held names it for a person (fix the references, then
-- `fusion-rating adjust --period P --current-references`).
WITH latest AS (
    SELECT held_usage
    FROM adjustment_runs
    WHERE billing_period = $billing_period AND held_usage IS NOT NULL
    ORDER BY finished_at DESC, run_id
    LIMIT 1
)
SELECT h.reason, h.late_rows, h.late_files
FROM (SELECT unnest(held_usage) AS h FROM latest)
WHERE h.late_rows > 0
ORDER BY h.reason
