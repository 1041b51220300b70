-- Subscription and account-link files: the version of each in force. A new version replaces
-- the previous one only when it can be used (readable, not empty, required columns present).
CREATE TABLE IF NOT EXISTS reference_files (
    kind          VARCHAR NOT NULL,   -- 'subscriptions' | 'accounts'
    file_path     VARCHAR NOT NULL,   -- relative to the landing root
    size_bytes    BIGINT NOT NULL,    -- the version's size in bytes
    modified_at   TIMESTAMP,          -- the file's modification time, UTC; NULL when the
                                      -- store gives none
    content_hash  VARCHAR NOT NULL,   -- sha256 (hex) of the version in force
    rows_in_file  BIGINT NOT NULL,    -- rows in the version (a CSV header not counted)
    loaded_at     TIMESTAMP NOT NULL  -- UTC: when this version came into force (wall clock)
)
