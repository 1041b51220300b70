-- Per service, the share of the period's rows that were quarantined.
WITH counts AS (
    SELECT service,
           sum(counter_rows) FILTER (WHERE status = 'quarantined') AS quarantined,
           sum(counter_rows) FILTER (WHERE status <> 'superseded') AS counted
    FROM (SELECT status, counter_rows,
                 coalesce(raw.service, s.service) AS service, v.period_key
          FROM validated_usage v
          LEFT JOIN validated_subscriptions s ON s.subscription_key = v.subscription_key)
    WHERE period_key = $period_key
    GROUP BY service
)
SELECT service, coalesce(quarantined, 0), counted,
       round(100.0 * coalesce(quarantined, 0) / counted, 2) AS percent
FROM counts WHERE counted > 0
ORDER BY service
