-- The period as invoiced (originals plus issued revisions) and as re-rated, for the guard
-- (mixed currencies added as numbers, as rating_runs.amount_total).
SELECT CAST(coalesce(sum(old_amount), 0) AS DECIMAL(38, 2)) AS invoiced,
       CAST(coalesce(sum(new_amount), 0) AS DECIMAL(38, 2)) AS rerated
FROM adjust_lines
