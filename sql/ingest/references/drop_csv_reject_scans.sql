DROP TABLE IF EXISTS csv_reject_scans
