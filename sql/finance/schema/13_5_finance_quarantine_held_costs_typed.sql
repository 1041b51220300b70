-- Provider costs held for want of an FX rate before the typed columns existed (13_1 to 13_4
-- add them empty) get them from `record` once, so that the margin report's warning on held
-- costs counts them before the next finance run rewrites the table. `record` is the landed
-- row's fields joined by commas, blank ones left out: date, provider, service, [account_id],
-- [metric], cost, currency. Only what reads back unambiguously is taken: a held row's date
-- and cost parsed (as DATE, as a number: neither holds a comma), so the first field is its day
-- and the last two its cost and currency (three letters, or the row is left as it is); its
-- service only when the record has exactly those five fields, since a comma in a provider's
-- name or an account or metric moves it (NULL then: the report counts the row unnamed). Rows
-- with any typed column set (every row this version writes) are left alone.
UPDATE finance_quarantine
SET billing_period = strftime(TRY_CAST(trim(string_split(record, ',')[1]) AS DATE), '%Y-%m'),
    amount = TRY_CAST(trim(string_split(record, ',')[-2]) AS DECIMAL(38, 9)),
    currency = upper(trim(string_split(record, ',')[-1])),
    service = CASE WHEN len(string_split(record, ',')) = 5
                   THEN nullif(trim(string_split(record, ',')[3]), '') END
WHERE kind = 'provider_costs' AND reason = 'missing_fx_rate'
  AND service IS NULL AND billing_period IS NULL AND amount IS NULL AND currency IS NULL
  AND len(string_split(record, ',')) >= 5
  AND TRY_CAST(trim(string_split(record, ',')[1]) AS DATE) IS NOT NULL
  AND TRY_CAST(trim(string_split(record, ',')[-2]) AS DECIMAL(38, 9)) IS NOT NULL
  AND regexp_full_match(upper(trim(string_split(record, ',')[-1])), '[A-Z]{3}')
