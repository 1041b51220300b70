INSERT INTO ledger.ledger_meta VALUES ($name, $value)
