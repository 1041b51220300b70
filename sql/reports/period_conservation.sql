-- The period's conservation as of its latest rating (rating_runs), recomputed from the tables:
-- its ledger rows = accepted + superseded + quarantined; accepted = rated + held; the rated
-- rows are those of usage_rollups and the held ones those of usage_quarantine (stage rating).
WITH latest AS (
    SELECT * FROM rating_runs
    WHERE billing_period = $billing_period
      AND outcome IN ('rated', 'rated_with_accepted_changes')
    ORDER BY finished_at DESC
    LIMIT 1
)
SELECT rows_landed, rows_accepted, rows_superseded, rows_quarantined, rows_rated, rows_held,
       (SELECT coalesce(sum(counter_rows), 0) FROM usage_rollups
        WHERE billing_period = $billing_period) AS rows_in_rollups,
       (SELECT count(*) FROM usage_quarantine
        WHERE stage = 'rating' AND billing_period = $billing_period) AS rows_held_recorded
FROM latest
