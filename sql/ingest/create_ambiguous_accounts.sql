CREATE OR REPLACE TEMP TABLE ambiguous_accounts AS
SELECT DISTINCT service, account_id FROM account_checks WHERE reason = 'ambiguous_account'
