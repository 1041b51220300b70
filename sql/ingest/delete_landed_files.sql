DELETE FROM landed_usage WHERE list_contains($file_ids, file_id)
