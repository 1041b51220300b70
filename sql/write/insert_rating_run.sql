INSERT INTO rating_runs VALUES ($run_id, $billing_period, $started_at, $finished_at,
                                $files_found, $files_unreadable, $rows_read, $rows_accepted,
                                $rows_superseded, $rows_quarantined, $rated_lines,
                                $invoice_lines, $amount_total)
