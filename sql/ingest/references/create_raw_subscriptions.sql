-- Every subscription row in force, from all subscriptions files (reference_files).
CREATE OR REPLACE TEMP TABLE raw_subscriptions AS
SELECT * FROM reference_rows_subscriptions
