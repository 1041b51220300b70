CREATE OR REPLACE TEMP TABLE ref_accounts AS SELECT * FROM validated_accounts
