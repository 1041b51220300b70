-- Empty unless a search_path was set on this connection (the re-rate's shadow schema): a
-- rating then refuses to write, since its unqualified table names would not be main's.
SELECT current_setting('search_path') AS search_path
