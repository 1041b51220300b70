DROP TABLE IF EXISTS ledger.usage_rows
