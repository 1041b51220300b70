-- The scratch ledger's manifest is replaced whenever another copy of the ledger is published.
DELETE FROM ledger.ingested_files
