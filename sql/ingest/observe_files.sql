-- Size and modification time of landed files, without reading their content (the cheap check
-- that a file already in the manifest is unchanged); used for object stores (s3://).
SELECT filename, size, last_modified FROM read_blob($files)
