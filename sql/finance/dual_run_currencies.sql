-- The currencies of one period's reconciliation lines, ours and the legacy billing's: the dual
-- run's amounts are in that currency when there is one.
SELECT DISTINCT currency
FROM (SELECT our_currency AS currency FROM reconciliation_legacy
      WHERE billing_period = $billing_period
      UNION ALL
      SELECT legacy_currency FROM reconciliation_legacy
      WHERE billing_period = $billing_period)
WHERE currency IS NOT NULL
ORDER BY currency
