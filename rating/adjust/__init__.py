"""Adjustments: a closed period re-rated from the ledger, compared per line with what was
invoiced, and the difference issued as linked revisions (supplementary invoices, credit notes)
or kept pending with why."""
