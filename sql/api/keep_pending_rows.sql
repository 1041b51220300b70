-- The rows of the landed files the published ledger does not hold yet, as the ingestion's
-- statements decided them on the empty scratch ledger: kept until the set of such files or the
-- published copy changes, so that each request does not decide them again.
CREATE OR REPLACE TEMP TABLE pending_rows AS SELECT * FROM ledger.usage_rows
