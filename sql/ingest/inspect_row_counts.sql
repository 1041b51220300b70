SELECT file_name, num_rows FROM parquet_file_metadata($files)
