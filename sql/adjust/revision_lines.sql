-- The lines of the revisions a run issued, for its report (before a dry run rolls back).
SELECT l.adjustment_key, l.line_number, l.product_code, l.description, l.old_quantity,
       l.new_quantity, l.old_amount, l.new_amount, l.amount_delta
FROM period_adjustment_lines l
JOIN period_adjustments a ON a.adjustment_key = l.adjustment_key
WHERE a.run_id = $run_id
ORDER BY l.adjustment_key, l.line_number
