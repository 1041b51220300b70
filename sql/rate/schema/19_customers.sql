-- One row per customer key, for naming customers beside amounts: join invoice lines, rated
-- charges or margins to it on customer_key without multiplying them (validated_accounts has
-- a row per account, three for a customer with three accounts). A view over the account links
-- the latest rating used, so it is never stale. A customer linked from several accounts takes
-- its name, email and address from its first link by service and account id, as its Odoo
-- partner does (odoo/invoice_documents).
CREATE OR REPLACE VIEW customers AS
SELECT f.customer_key,         -- our customer key (the Odoo partner's ref)
       f.name,                 -- its name (from its first link by service and account id)
       f.email,                -- its billing email; NULL: not given
       f.country,              -- ISO country code; NULL: not given
       f.province,             -- province or state code (e.g. ON, QC); NULL: not given
       f.street,               -- NULL: not given
       f.city,                 -- NULL: not given
       f.postal_code,          -- NULL: not given
       f.language,             -- the partner's language (e.g. fr_CA); NULL: not given
       a.services,             -- the services it has accounts in, sorted
                               -- (catalog_services.service)
       a.accounts,             -- how many account links name it (validated_accounts rows)
       a.names                 -- distinct names across those links: above 1, the links
                               -- disagree and name is the first link's
FROM (SELECT * FROM validated_accounts
      QUALIFY row_number() OVER (PARTITION BY customer_key ORDER BY service, account_id) = 1) f
JOIN (SELECT customer_key, list_sort(list(DISTINCT service)) AS services, count(*) AS accounts,
             count(DISTINCT name) AS names
      FROM validated_accounts GROUP BY customer_key) a ON a.customer_key = f.customer_key
