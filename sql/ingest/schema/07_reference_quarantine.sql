-- Subscriptions and account links that cannot be used, with a reason code.
CREATE TABLE IF NOT EXISTS reference_quarantine (
    kind       VARCHAR NOT NULL,   -- 'subscriptions' | 'accounts'
    reason     VARCHAR NOT NULL,   -- reason code (e.g. a missing field, an unknown plan, a
                                   -- conflicting link, an undecodable line)
    file_path  VARCHAR NOT NULL,   -- relative to the landing root
    record     VARCHAR,            -- the row's fields, for a person to find it; NULL for a
                                   -- whole file
    detail     VARCHAR             -- what exactly is wrong; NULL when the reason says it all
)
