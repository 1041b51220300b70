INSERT INTO ledger.ingestions VALUES ($ingestion_id, $kind, $started_at, $files_new,
                                      $files_unreadable, $rows_read, $rows_accepted,
                                      $rows_superseded, $rows_quarantined,
                                      $earlier_rows_superseded, $rows_redecided,
                                      $periods)
