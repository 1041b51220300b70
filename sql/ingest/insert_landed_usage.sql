-- The projection slot is filled by rating.landing.projection from the contract's column names only.
INSERT INTO landed_usage
SELECT $file_ids[CAST(file_index AS BIGINT) + 1] AS file_id,
       file_row_number,
       {projection}
FROM read_parquet($files, file_row_number = true, hive_partitioning = false,
                  union_by_name = false)
