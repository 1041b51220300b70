-- The batch's reads, once recorded.
DROP TABLE IF EXISTS payment_reads
