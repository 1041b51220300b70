SELECT file FROM glob($pattern) ORDER BY file
