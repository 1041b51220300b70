DESCRIBE SELECT * FROM read_csv($file, all_varchar = true, header = true, auto_detect = true)
