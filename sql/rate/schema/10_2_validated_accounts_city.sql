-- The account links the latest rating used, written before the address columns existed:
-- posting reads the column (NULL until the next rating rewrites the table).
ALTER TABLE IF EXISTS validated_accounts ADD COLUMN IF NOT EXISTS city VARCHAR
