-- The references in force are taken again from each newly published analysts' copy.
DELETE FROM reference_rows_subscriptions
