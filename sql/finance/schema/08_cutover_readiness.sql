-- Can a service leave its legacy billing? Per service: of the customers the dual run compared
-- over the last N closed periods (N configurable, default 2), how many matched on every line.
CREATE TABLE IF NOT EXISTS cutover_readiness (
    service            VARCHAR NOT NULL,
    periods            VARCHAR NOT NULL,   -- the closed periods considered, comma-separated
    customers          BIGINT NOT NULL,
    matched_customers  BIGINT NOT NULL,
    share_matched      DECIMAL(7, 2),      -- percent; NULL without customers
    computed_at        TIMESTAMP NOT NULL
)
