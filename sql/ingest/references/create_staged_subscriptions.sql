-- One subscriptions file as just read, before it may come into force.
CREATE OR REPLACE TEMP TABLE staged_subscriptions AS
SELECT * FROM reference_rows_subscriptions WHERE false
