-- One row per usage file found: how it was read and what its schema lacks.
CREATE OR REPLACE TEMP TABLE landed_file_checks (
    file_id          BIGINT NOT NULL,
    file_rank        INTEGER NOT NULL,   -- position in path order: breaks pushed_at ties
    file_path        VARCHAR NOT NULL,   -- relative to the landing root
    rows_in_file     BIGINT,
    status           VARCHAR NOT NULL,   -- 'read' or 'unreadable'
    error            VARCHAR,
    missing_columns  VARCHAR[] NOT NULL,
    extra_columns    VARCHAR[] NOT NULL,
    has_value_column BOOLEAN NOT NULL
)
