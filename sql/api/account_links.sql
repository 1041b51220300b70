-- Which customers' documents each account sees (rating.api.invoices), read once from each
-- analysts' copy into memory with sql/api/documents.sql: per period, the customer the account
-- was linked to when the period was rated (rated_account_links); for a period rated before
-- those snapshots existed, its link today (validated_accounts). A row with no billing_period
-- says only that the service knows the account (linked today): an account in no row is 404
-- customer_not_found, a known one without documents an empty list.
SELECT service, account_id, billing_period, customer_key
FROM rated_account_links
WHERE customer_key IS NOT NULL
UNION
SELECT v.service, v.account_id, p.billing_period, v.customer_key
FROM validated_accounts v
JOIN (SELECT DISTINCT service, billing_period, customer_key FROM odoo_postings) p
  ON p.service = v.service AND p.customer_key = v.customer_key
WHERE NOT EXISTS (SELECT 1 FROM rated_account_links k
                  WHERE k.service = p.service AND k.billing_period = p.billing_period)
UNION
SELECT service, account_id, NULL, customer_key FROM validated_accounts
UNION
SELECT DISTINCT service, account_id, NULL, NULL FROM rated_account_links
