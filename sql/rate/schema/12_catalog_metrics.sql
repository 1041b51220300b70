-- The catalog's billable metrics (catalog/metrics.yaml) as the latest rating used them;
-- replaced by each rating.
CREATE TABLE IF NOT EXISTS catalog_metrics (
    service      VARCHAR NOT NULL,  -- catalog_services.service
    metric       VARCHAR NOT NULL,  -- the metric code the usage counters carry
    name         VARCHAR NOT NULL,  -- its name on invoices
    aggregation  VARCHAR NOT NULL,  -- sum | max | last | unique_count | time_weighted_avg
    unit         VARCHAR NOT NULL,  -- the unit of its quantities (e.g. requests, GB-months)
    filter_json  VARCHAR,           -- JSON object the usage dimensions must contain; NULL: none
    group_by     VARCHAR,           -- dimension giving one rated line per value; NULL: none
    metric_key   INTEGER NOT NULL   -- surrogate, for cheap grouping of usage (no meaning
                                    -- across ratings)
)
