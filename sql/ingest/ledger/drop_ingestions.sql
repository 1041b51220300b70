DROP TABLE IF EXISTS ledger.ingestions
