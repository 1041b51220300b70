-- The account links of every landed file, every column as text as the ingest reads them: what
-- the API server answers GET /customers from (rating.api.landed_references).
CREATE TEMP TABLE landed_accounts (
    file_path VARCHAR NOT NULL, service VARCHAR, account_id VARCHAR, customer_key VARCHAR,
    name VARCHAR, email VARCHAR, country VARCHAR, province VARCHAR, street VARCHAR,
    city VARCHAR, postal_code VARCHAR, language VARCHAR, version_at VARCHAR,
    address_line1 VARCHAR, address_line2 VARCHAR, legal_name VARCHAR
)
