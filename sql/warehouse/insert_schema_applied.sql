INSERT INTO schema_applied (fingerprint, catalog_digest) VALUES ($fingerprint, $catalog_digest)
