DELETE FROM held_inputs WHERE kind IN ('subscriptions', 'accounts')
