"""Sample data: a usage month with its references, and legacy billing and costs derived from it."""
