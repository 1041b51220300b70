-- The table and projection slots come from rating.ingest.tables' fixed column lists.
INSERT INTO {table}
SELECT $file_path, {projection}
FROM read_parquet($file)
