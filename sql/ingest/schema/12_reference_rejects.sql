-- Lines of a reference file version in force that could not be decoded (e.g. a byte that is
-- not UTF-8): the rest of the file is used; each line is reported in reference_quarantine.
CREATE TABLE IF NOT EXISTS reference_rejects (
    kind       VARCHAR NOT NULL,    -- 'subscriptions' | 'accounts'
    file_path  VARCHAR NOT NULL,    -- relative to the landing root
    line       BIGINT NOT NULL,     -- 1-based line number in the file (the header is line 1)
    record     VARCHAR,             -- the line as read; NULL when it could not be read at all
    detail     VARCHAR NOT NULL     -- the reader's error
)
