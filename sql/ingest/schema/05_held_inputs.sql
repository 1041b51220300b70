-- Input files held whole as of the latest run: their new content is not used (a person must
-- look). kind 'usage' (written by each ingestion): unreadable_file, changed_after_ingestion.
-- kinds 'subscriptions', 'accounts' (written by each rating): unreadable_file, empty_file,
-- missing_column, missing_file; the file's previous version, if any, stays in force.
-- `fusion-rating release` acknowledges one (released_inputs): it is then no longer held.
CREATE TABLE IF NOT EXISTS held_inputs (
    kind        VARCHAR NOT NULL,  -- 'usage' | 'subscriptions' | 'accounts'
    file_path   VARCHAR NOT NULL,  -- relative to the landing root
    reason      VARCHAR NOT NULL,  -- reason code (see the table's comment)
    detail      VARCHAR NOT NULL,  -- what exactly is wrong, for a person
    in_force    VARCHAR NOT NULL,  -- what is used instead: 'previous version of <date>', ...
    content_hash VARCHAR NOT NULL  -- sha256 (hex) of the content held ('' when there is none
                                   -- to read); `release` names it
)
