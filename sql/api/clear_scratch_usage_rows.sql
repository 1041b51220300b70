-- current_usage prices one customer at a time on a scratch ledger (an in-memory database
-- attached as `ledger`): the previous request's rows go first.
DELETE FROM ledger.usage_rows
