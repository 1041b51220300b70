INSERT INTO validated_subscriptions BY NAME SELECT * FROM ref_subscriptions ORDER BY ALL
