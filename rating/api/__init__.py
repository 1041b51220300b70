"""The billing API the apps call (`fusion-rating serve`): Lago's request and response shapes
under /api/billing/v1, one key per service, durable the moment it answers.

    app.py        the FastAPI application: routers, the key check, Lago-shaped errors
    keys.py       service records and their API keys (stored only as hashes)
    errors.py     errors in Lago's shape (status, error, code, error_details)
    settings.py   where the server reads and writes (landing zone, warehouse, its state folder)
    usage.py      POST /usage, /events, /events/batch: counters into the write-ahead store
    counters.py   the contract's structural checks on a request's counters
    events.py     Lago's events as counters (transaction_id -> counter_id, field_name -> value)
    lookup.py     a subscription's account, from the landed subscription files
    wal.py        the write-ahead store (fsynced, group commit, replayed on restart)
    flush.py      the write-ahead store flushed to Parquet in the landing zone
    client.py     push_counters(): POST /usage from Python
    references.py customers and subscriptions: new versions in the landing zone
    current_usage.py  month-to-date usage and amount, priced by the rating SQL
    invoices.py   the customer's invoices as posted (and their adjustments)
    analysts.py   the analysts' copy the invoices are read from, held in memory per copy

No Dagster import here: the server is a process of its own; the Dagster sensor picks up the
Parquet files it flushes to the landing zone like any app's.
"""
