"""Dagster assets: thin wrappers over the rating engine (rating/ and sql/)."""
