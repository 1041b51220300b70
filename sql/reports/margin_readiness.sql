-- Cut-over readiness per service: the latest computation of each service.
SELECT service, periods, customers, matched_customers, share_matched, computed_at
FROM cutover_readiness
QUALIFY row_number() OVER (PARTITION BY service ORDER BY computed_at DESC, periods DESC) = 1
ORDER BY service
