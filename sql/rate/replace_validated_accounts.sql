CREATE OR REPLACE TABLE validated_accounts AS SELECT * FROM ref_accounts ORDER BY ALL
