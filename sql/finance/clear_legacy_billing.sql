DELETE FROM legacy_billing
