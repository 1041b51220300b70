"""Late usage of closed periods: re-rate them (rerate) and bill the difference as linked
adjustments."""
