CREATE OR REPLACE TEMP TABLE cat_metrics (
    service      VARCHAR NOT NULL,
    metric       VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    aggregation  VARCHAR NOT NULL,
    unit         VARCHAR NOT NULL,
    filter_json  VARCHAR,          -- JSON object the usage dimensions must contain, or NULL
    group_by     VARCHAR,          -- dimension giving one rated line per value, or NULL
    metric_key   INTEGER NOT NULL, -- surrogate, for cheap grouping of usage
    PRIMARY KEY (service, metric)
)
