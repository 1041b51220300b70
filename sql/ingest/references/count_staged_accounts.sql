SELECT count(*) FROM staged_accounts
