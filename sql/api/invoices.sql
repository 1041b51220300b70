-- One page of a service's invoices, supplementary invoices and credit notes, newest first, and
-- how many match (rating.api.invoices), from what rating.api.analysts read into memory:
-- api_documents (sql/api/documents.sql: what is shown and why) and api_links
-- (sql/api/account_links.sql). $account_id NULL: every customer of the service, else the
-- documents of the customers the account was linked to when their period was rated;
-- $lago_id NULL, $status NULL: any.
WITH matching AS (
    SELECT d.* FROM api_documents d
    WHERE d.service = $service
      AND ($status IS NULL OR d.status = $status)
      AND ($lago_id IS NULL OR d.lago_id = $lago_id)
      AND ($account_id IS NULL
           OR (d.billing_period, d.customer_key) IN (
                  SELECT billing_period, customer_key FROM api_links
                  WHERE service = $service AND account_id = $account_id))
),
paged AS (
    SELECT * FROM matching
    ORDER BY issuing_date DESC, invoice_key DESC
    LIMIT $per_page OFFSET $offset
)
SELECT t.total_count,  -- documents matching, on every page
       g.*             -- api_documents' columns; invoice_key NULL: the page is empty
FROM (SELECT count(*) AS total_count FROM matching) t
LEFT JOIN paged g ON true
ORDER BY g.issuing_date DESC, g.invoice_key DESC
