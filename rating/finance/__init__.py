"""Finance: the dual run against the legacy billing, provider costs, margins, the analysts' copy."""
