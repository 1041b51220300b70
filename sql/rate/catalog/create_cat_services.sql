CREATE OR REPLACE TEMP TABLE cat_services (
    service   VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    currency  VARCHAR NOT NULL
)
