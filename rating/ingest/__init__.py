"""Ingestion: the landing zone, each usage file into the ledger once, and the reference data
(subscriptions, account links) in force."""
