SELECT file_path FROM landed_files
