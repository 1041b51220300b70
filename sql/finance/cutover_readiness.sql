SELECT service, periods, customers, matched_customers, share_matched
FROM cutover_readiness ORDER BY service
