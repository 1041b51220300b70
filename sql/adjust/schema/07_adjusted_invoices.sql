-- Per invoice of each re-rated closed period: the original total, the revisions issued, what
-- is pending and the re-rate (finance's adjusted revenue reads this).
CREATE OR REPLACE VIEW adjusted_invoices AS
SELECT billing_period,  -- YYYY-MM, a re-rated closed period
       invoice_key,     -- the original invoice (invoice_lines.invoice_key)
       CAST(sum(original) AS DECIMAL(38, 2)) AS original,        -- the original's untaxed
                                                                 -- total, cents
       CAST(sum(issued) AS DECIMAL(38, 2)) AS issued_net,        -- the issued revisions'
                                                                 -- amount_net summed
       CAST(sum(pending) AS DECIMAL(38, 2)) AS pending,          -- pending deltas summed
       CAST(sum(rerated) AS DECIMAL(38, 2)) AS rerated,          -- the re-rated total, cents
       CAST(sum(original) + sum(issued) AS DECIMAL(38, 2)) AS invoiced,  -- what the customer
                                                                 -- was invoiced in all
       bool_and(balanced) AS balanced   -- every line of it balanced (adjustment_balance)
FROM adjustment_balance
GROUP BY billing_period, invoice_key
