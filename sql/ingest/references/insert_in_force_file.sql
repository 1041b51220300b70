INSERT INTO reference_files VALUES ($kind, $file_path, $size_bytes, $modified_at,
                                    $content_hash, $rows_in_file, $loaded_at)
