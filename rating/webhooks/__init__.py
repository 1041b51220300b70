"""Webhooks back to the apps (docs/webhooks.md): events written to an outbox in the same
transaction as the change that causes them, delivered signed (Standard Webhooks) to each
service's endpoints, at least once, retried with backoff, held as failed after a day.

- rating.webhooks.events: the event types, their payload version, how an event is written;
- rating.webhooks.endpoints: the endpoints and their secrets (services.json, the environment);
- rating.webhooks.delivery: one delivery pass (claim, send, record) and its backoff;
- rating.webhooks.payments: Odoo's payment states, read on a schedule.
No Dagster import here: assets/webhooks.py is the thin Dagster side.
"""
