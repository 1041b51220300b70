-- Every linked (service, account_id) once: its customer, or `ambiguous` when it is linked to
-- two customer keys (its usage is then held, never guessed).
CREATE OR REPLACE TEMP TABLE account_links AS
SELECT service, account_id, customer_key, false AS ambiguous FROM ref_accounts
UNION ALL
SELECT DISTINCT service, account_id, NULL, true FROM account_checks
WHERE reason = 'ambiguous_account'
