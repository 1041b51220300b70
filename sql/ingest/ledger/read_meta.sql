SELECT value FROM ledger.ledger_meta WHERE name = $name
