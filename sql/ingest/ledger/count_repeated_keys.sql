SELECT count(*) FROM repeated_keys
