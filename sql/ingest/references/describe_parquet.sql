DESCRIBE SELECT * FROM read_parquet($file)
