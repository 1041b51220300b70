CREATE OR REPLACE TEMP TABLE cat_plans (
    plan_code  VARCHAR PRIMARY KEY,
    service    VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    currency   VARCHAR NOT NULL
)
