-- Every usage file found under <landing>/usage/ by the latest run, and how it was read.
CREATE TABLE IF NOT EXISTS landed_files (
    file_id          BIGINT PRIMARY KEY,   -- stable: derived from the path
    file_path        VARCHAR NOT NULL,     -- relative to the landing root
    rows_in_file     BIGINT,               -- NULL when the file is unreadable
    status           VARCHAR NOT NULL,     -- 'read' | 'unreadable'
    error            VARCHAR,
    missing_columns  VARCHAR[] NOT NULL,
    extra_columns    VARCHAR[] NOT NULL    -- ignored, reported once here
)
