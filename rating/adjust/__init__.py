"""Late usage of closed periods billed as linked adjustments (issue 13)."""
