-- Each legacy billing row with what it says, parsed, and why it cannot be used (NULL: usable).
-- The account link maps it to our customer key; `charge` may be our metric code or one of the
-- service's catalog product codes (then read as that product's metric; a code two metrics
-- share is ambiguous_charge); blank is invoice-level; anything else stays as written.
CREATE OR REPLACE TEMP TABLE legacy_checks AS
WITH parsed AS (
    SELECT r.*,
           trim(r.source) AS source_t, trim(r.service) AS service_t,
           trim(r.account_id) AS account_t, trim(r.period) AS period_t,
           coalesce(trim(r.charge), '') AS charge_t,
           TRY_CAST(trim(r.amount) AS DECIMAL(38, 9)) AS amount_d,
           upper(trim(r.currency)) AS currency_t
    FROM raw_legacy_billing r
),
product_metrics AS (   -- a product code shared by two metrics names neither
    SELECT p.service, c.product_code, min(c.metric) AS metric,
           count(DISTINCT c.metric) AS metrics
    FROM catalog_charges c JOIN catalog_plans p USING (plan_code)
    GROUP BY ALL
)
SELECT p.file_path, p.file_row_number, p.source_t AS source, p.service_t AS service,
       p.account_t AS account_id, a.customer_key, p.period_t AS billing_period,
       CASE WHEN m.metric IS NULL AND pm.metrics = 1 THEN pm.metric ELSE p.charge_t END
           AS charge, CAST(p.amount_d AS DECIMAL(38, 2)) AS amount, p.amount_d AS landed_amount,
       p.currency_t AS currency, nullif(trim(p.legacy_invoice_id), '') AS legacy_invoice_id,
       concat_ws(',', p.source, p.service, p.account_id, p.period, p.charge, p.amount,
                 p.currency, p.legacy_invoice_id) AS record,
       CASE
           WHEN is_blank(p.source_t) OR is_blank(p.service_t) OR is_blank(p.account_t)
                OR is_blank(p.period_t) OR is_blank(p.amount) OR is_blank(p.currency_t)
               THEN 'null_required'
           WHEN NOT regexp_full_match(p.period_t, '\d{4}-(0[1-9]|1[0-2])') THEN 'bad_period'
           WHEN p.amount_d IS NULL THEN 'not_a_number'
           WHEN round(p.amount_d, 2) <> p.amount_d THEN 'more_than_cents'
           WHEN NOT regexp_full_match(p.currency_t, '[A-Z]{3}') THEN 'bad_currency'
           WHEN s.service IS NULL THEN 'unknown_service'
           WHEN a.customer_key IS NULL THEN 'unknown_account'
           WHEN m.metric IS NULL AND pm.metrics > 1 THEN 'ambiguous_charge'
       END AS reason
FROM parsed p
LEFT JOIN catalog_services s ON s.service = p.service_t
LEFT JOIN validated_accounts a ON a.service = p.service_t AND a.account_id = p.account_t
LEFT JOIN catalog_metrics m ON m.service = p.service_t AND m.metric = p.charge_t
LEFT JOIN product_metrics pm ON pm.service = p.service_t AND pm.product_code = p.charge_t
