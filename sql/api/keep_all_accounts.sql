-- Every usable account link, kept aside: ref_accounts is narrowed to one customer's for each
-- request (api/narrow_ref_accounts.sql).
CREATE OR REPLACE TEMP TABLE all_ref_accounts AS SELECT * FROM ref_accounts
