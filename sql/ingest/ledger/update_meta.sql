UPDATE ledger.ledger_meta SET value = $value WHERE name = $name
