SELECT kind, file_path, content_hash FROM released_inputs
