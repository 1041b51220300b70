-- Lines of a reference file version in force that could not be decoded (e.g. a byte that is
-- not UTF-8): the rest of the file is used; each line is reported in reference_quarantine.
CREATE TABLE IF NOT EXISTS reference_rejects (
    kind       VARCHAR NOT NULL,
    file_path  VARCHAR NOT NULL,
    line       BIGINT NOT NULL,     -- 1-based line number in the file (the header is line 1)
    record     VARCHAR,             -- the line as read
    detail     VARCHAR NOT NULL
)
