INSERT INTO schema_applied (fingerprint) VALUES ($fingerprint)
