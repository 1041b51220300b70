-- Held input files a person has looked at and let go (`fusion-rating release`): this content
-- of this file is no longer held (its rows stay unused; a reference file's previous version
-- stays in force). Other content at the same path is held again.
CREATE TABLE IF NOT EXISTS released_inputs (
    kind          VARCHAR NOT NULL,   -- 'usage' | 'subscriptions' | 'accounts'
    file_path     VARCHAR NOT NULL,   -- relative to the landing root
    content_hash  VARCHAR NOT NULL,   -- sha256 (hex) of the content released
                                      -- (held_inputs.content_hash)
    reason        VARCHAR NOT NULL,   -- why, in the person's words
    released_at   TIMESTAMP NOT NULL  -- UTC
)
