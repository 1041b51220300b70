-- Legacy billing, provider cost and FX rate rows (or whole files) that cannot be used, with a
-- reason code; rewritten by each finance run. service, billing_period, amount and currency are
-- the row's fields a report reads, typed; they were added after the table was first written, hence
-- last (sql/finance/schema/13_*.sql add them to an existing warehouse).
CREATE TABLE IF NOT EXISTS finance_quarantine (
    kind             VARCHAR NOT NULL,   -- 'legacy_billing' | 'provider_costs' | 'fx_rates'
    reason           VARCHAR NOT NULL,   -- reason code (docs/margin.md)
    file_path        VARCHAR NOT NULL,   -- relative to the landing root
    file_row_number  BIGINT,             -- 0-based; NULL for a whole file
    record           VARCHAR,            -- the row's fields, for a person to find it
    detail           VARCHAR,            -- what exactly is wrong; NULL when the reason says it all
    service          VARCHAR,            -- the catalog service the row names (trimmed); NULL for a
                                         -- whole file or when the row lacks it
    billing_period   VARCHAR,            -- 'YYYY-MM': a legacy row's period, a cost's or rate's
                                         -- calendar month; NULL for a whole file or unreadable
    amount           DECIMAL(38, 9),     -- a legacy charge or a provider cost as landed, in
                                         -- `currency`; NULL when absent or not a number
    currency         VARCHAR             -- upper case, as landed; NULL for a whole file
)
