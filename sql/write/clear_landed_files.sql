DELETE FROM landed_files
