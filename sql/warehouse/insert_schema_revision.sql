INSERT INTO schema_revision (revision) VALUES ($revision)
