-- The period's snapshot kept without a person (its re-rate with today's references reproduced
-- its invoice lines): only the account links in force today (TEMP account_links) that produced
-- an invoice line of the period (the account of its subscription, linked to its customer), the
-- ones the reproduction verified. Another account's late usage is then held for want of a link
-- as rated, not billed to the customer it was linked to after the close.
INSERT INTO rated_account_links (billing_period, service, account_id, customer_key, ambiguous)
SELECT $billing_period, l.service, l.account_id, l.customer_key, l.ambiguous
FROM account_links l
WHERE NOT l.ambiguous
  AND EXISTS (SELECT 1 FROM invoice_lines i
              JOIN ref_subscriptions s ON s.subscription_id = i.subscription_id
              WHERE i.billing_period = $billing_period AND i.customer_key = l.customer_key
                AND s.service = l.service AND s.account_id = l.account_id)
ORDER BY l.service, l.account_id
