"""Rating a billing period from the ledger: the catalog as tables, pricing, the guard, month
close."""
