-- The lines of the CSV file just read that could not be decoded.
SELECT line, error_message, csv_line FROM csv_reject_errors ORDER BY line
