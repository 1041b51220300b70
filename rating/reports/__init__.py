"""Reports: the read-only queries the assets and the CLI show, and the HTML margin report."""
