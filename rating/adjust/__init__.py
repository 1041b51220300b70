"""Adjustments: a closed period re-rated from the ledger (rerate, in the shadow schema),
compared per line with what was invoiced, and the difference issued as linked revisions
(supplementary invoices, credit notes) or kept pending with why (run, decide)."""
