INSERT INTO rating_runs (run_id, billing_period, started_at, finished_at, through_ingestion_id,
                         rows_landed, rows_accepted, rows_superseded, rows_quarantined,
                         rows_rated, rows_held, files_held, rated_lines, invoice_lines,
                         amount_total, previous_amount_total, catalog_fingerprint, outcome,
                         guard_findings, period_catalog_fingerprint)
VALUES ($run_id, $billing_period, $started_at, $finished_at, $through_ingestion_id,
        $rows_landed, $rows_accepted, $rows_superseded, $rows_quarantined, $rows_rated,
        $rows_held, $files_held, $rated_lines, $invoice_lines, $amount_total,
        $previous_amount_total, $catalog_fingerprint, $outcome, $guard_findings,
        $period_catalog_fingerprint)
