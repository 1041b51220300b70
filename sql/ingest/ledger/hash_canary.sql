-- The canary value itself: a fixed key hashed the way key_hash is.
SELECT CAST(hash('fusion-rating', 'hash-canary') AS VARCHAR)
