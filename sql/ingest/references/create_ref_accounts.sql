-- One usable link per (service, account_id): its latest version (check_accounts.sql); identical
-- links in several files collapse to the one in the file whose path sorts last.
CREATE OR REPLACE TEMP TABLE ref_accounts AS
SELECT service, account_id, customer_key, name, email, country, province, street, city,
       postal_code, language
FROM account_checks
WHERE reason IS NULL AND NOT superseded
QUALIFY row_number() OVER (PARTITION BY service, account_id
                           ORDER BY file_path DESC, name DESC, email DESC, country DESC,
                                    province DESC, street DESC, city DESC, postal_code DESC,
                                    language DESC) = 1
