-- Decode every column of one file: finds a file whose metadata reads but whose pages do not.
SELECT count(*) FROM (SELECT * FROM read_parquet($file))
