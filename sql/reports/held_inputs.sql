SELECT kind, file_path, reason, detail, in_force FROM held_inputs ORDER BY kind, file_path, reason
