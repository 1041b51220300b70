-- One Parquet file into a raw_* table. The table and projection slots come from
-- rating.finance.run's fixed column lists.
INSERT INTO {table}
SELECT $file_path, file_row_number, {projection}
FROM read_parquet($file, file_row_number = true)
