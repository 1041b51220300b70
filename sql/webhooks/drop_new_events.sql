-- The staged events, once written (rating.webhooks.events.write_events).
DROP TABLE IF EXISTS webhook_new_events
