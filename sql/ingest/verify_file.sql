-- Decode every column of every row of one file (hashing the whole row forces it; a bare
-- count(*) is answered from the metadata): finds a file whose metadata reads but whose pages
-- do not.
SELECT bit_xor(hash(r)) FROM read_parquet($file) AS r
