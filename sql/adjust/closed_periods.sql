-- The closed periods, the latest first: the nightly adjust run walks them (the first
-- FUSION_ADJUST_LOOKBACK adjusted, the older ones only held when touched).
SELECT billing_period FROM closed_periods ORDER BY billing_period DESC
