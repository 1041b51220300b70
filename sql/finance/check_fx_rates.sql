-- Each FX rate with why it cannot be used (NULL: usable). Two different rates for one date
-- and currency are both held: which one is right is a person's call, never a guess.
CREATE OR REPLACE TEMP TABLE fx_checks AS
WITH parsed AS (
    SELECT r.*, TRY_CAST(trim(r.date) AS DATE) AS rate_date,
           upper(trim(r.currency)) AS currency_t,
           TRY_CAST(trim(r.rate_to_cad) AS DECIMAL(38, 9)) AS rate
    FROM raw_fx_rates r
),
checked AS (
    SELECT *,
           CASE
               WHEN is_blank(date) OR is_blank(currency_t) OR is_blank(rate_to_cad)
                   THEN 'null_required'
               WHEN rate_date IS NULL THEN 'bad_date'
               WHEN rate IS NULL THEN 'not_a_number'
               WHEN rate <= 0 THEN 'non_positive_rate'
               WHEN rate >= 100000 THEN 'value_out_of_range'
           END AS basic_reason
    FROM parsed
)
SELECT file_path, file_row_number, rate_date, currency_t AS currency, rate,
       concat_ws(',', date, currency, rate_to_cad) AS record,
       CASE
           WHEN basic_reason IS NOT NULL THEN basic_reason
           WHEN min(rate) OVER same <> max(rate) OVER same THEN 'conflicting_rate'
       END AS reason
FROM checked
WINDOW same AS (PARTITION BY rate_date, currency_t, basic_reason IS NULL)
