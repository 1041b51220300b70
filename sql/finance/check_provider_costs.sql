-- Each provider cost row with its CAD amount and why it cannot be used (NULL: usable). A cost
-- in another currency needs that day's rate: without one the row is held (missing_fx_rate),
-- never counted as zero. A pooled row (no account id) needs a metric to share it by: its own,
-- or the catalog's mapping for the provider and service (view cost_mapping).
CREATE OR REPLACE TEMP TABLE cost_checks AS
WITH parsed AS (
    SELECT r.*, TRY_CAST(trim(r.date) AS DATE) AS cost_date, trim(r.provider) AS provider_t,
           trim(r.service) AS service_t, nullif(trim(r.account_id), '') AS account_t,
           nullif(trim(r.metric), '') AS metric_t,
           TRY_CAST(trim(r.cost) AS DECIMAL(38, 9)) AS cost_d,
           upper(trim(r.currency)) AS currency_t
    FROM raw_provider_costs r
),
rates AS (
    SELECT DISTINCT rate_date, currency, rate FROM fx_checks WHERE reason IS NULL
)
SELECT p.file_path, p.file_row_number, p.cost_date, p.provider_t AS provider,
       p.service_t AS service, p.account_t AS account_id, a.customer_key,
       coalesce(p.metric_t, m.metric) AS metric, p.cost_d AS cost, p.currency_t AS currency,
       CASE WHEN p.currency_t = 'CAD' THEN 1 ELSE x.rate END AS fx_rate,
       CASE WHEN abs(p.cost_d) < 1e15   -- rates are below 1e5: the product stays in range
            THEN CAST(p.cost_d * CASE WHEN p.currency_t = 'CAD' THEN 1 ELSE x.rate END
                      AS DECIMAL(38, 9)) END AS cost_cad,
       concat_ws(',', p.date, p.provider, p.service, p.account_id, p.metric, p.cost,
                 p.currency) AS record,
       CASE
           WHEN is_blank(p.date) OR is_blank(p.provider_t) OR is_blank(p.service_t)
                OR is_blank(p.cost) OR is_blank(p.currency_t) THEN 'null_required'
           WHEN p.cost_date IS NULL THEN 'bad_date'
           WHEN p.cost_d IS NULL THEN 'not_a_number'
           WHEN p.cost_d < 0 THEN 'negative_cost'
           WHEN p.cost_d >= 1e15 THEN 'value_out_of_range'
           WHEN s.service IS NULL THEN 'unknown_service'
           WHEN p.account_t IS NOT NULL AND a.customer_key IS NULL THEN 'unknown_account'
           WHEN p.metric_t IS NOT NULL AND cm.metric IS NULL THEN 'unknown_metric'
           WHEN p.account_t IS NULL AND coalesce(p.metric_t, m.metric) IS NULL
               THEN 'no_allocation_metric'
           WHEN p.currency_t <> 'CAD' AND x.rate IS NULL THEN 'missing_fx_rate'
       END AS reason
FROM parsed p
LEFT JOIN catalog_services s ON s.service = p.service_t
LEFT JOIN validated_accounts a ON a.service = p.service_t AND a.account_id = p.account_t
LEFT JOIN catalog_metrics cm ON cm.service = p.service_t AND cm.metric = p.metric_t
LEFT JOIN cost_mapping m ON m.provider = p.provider_t AND m.service = p.service_t
LEFT JOIN rates x ON x.rate_date = p.cost_date AND x.currency = p.currency_t
