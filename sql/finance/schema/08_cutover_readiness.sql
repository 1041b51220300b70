-- Can a service leave its legacy billing? Per service: of the customers the dual run compared
-- over the last N closed periods (N configurable, default 2), how many matched on every line.
CREATE TABLE IF NOT EXISTS cutover_readiness (
    service            VARCHAR NOT NULL,   -- catalog_services.service
    periods            VARCHAR NOT NULL,   -- the closed periods considered, comma-separated
    customers          BIGINT NOT NULL,    -- customers the dual run compared
    matched_customers  BIGINT NOT NULL,    -- of those, customers matched on every line
    share_matched      DECIMAL(7, 2),      -- percent; NULL without customers
    computed_at        TIMESTAMP NOT NULL  -- UTC (wall clock)
)
