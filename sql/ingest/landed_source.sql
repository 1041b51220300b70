-- The rows of one group of usage files that share a schema, projected onto the contract's
-- columns. The projection slot and the parameter suffix (the group's number) are filled by
-- rating.ingest.columns from the contract's column names only, never from data. Several groups are
-- joined with UNION ALL into the `landed` source of the statements that read usage.
SELECT $file_ids_G[CAST(file_index AS BIGINT) + 1] AS file_id,
       file_row_number,
       CAST($missing_columns_G AS VARCHAR[]) AS missing_columns,
       CAST($has_value_column_G AS BOOLEAN) AS has_value_column,
       {projection}
FROM read_parquet($files_G, file_row_number = true, hive_partitioning = false,
                  union_by_name = false)
