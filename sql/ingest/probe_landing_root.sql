SELECT file FROM glob($pattern)
