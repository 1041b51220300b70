-- Usable rows per finance kind.
SELECT 'legacy_billing' AS kind, count(*) AS rows FROM legacy_billing
UNION ALL SELECT 'provider_costs', count(*) FROM provider_costs
UNION ALL SELECT 'fx_rates', count(*) FROM fx_checks WHERE reason IS NULL
