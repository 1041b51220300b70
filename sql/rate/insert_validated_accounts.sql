INSERT INTO validated_accounts BY NAME SELECT * FROM ref_accounts ORDER BY ALL
