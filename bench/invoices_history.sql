-- bench/bench_invoices.py: earlier months for the invoices benchmark, as if each of the
-- $months - 1 months before 2026-10 had been rated, posted and read back like 2026-10 (the
-- same documents and lines under that month's keys and new move ids). Five statements, run
-- together by the benchmark only (the product's SQL is under sql/, one statement a file).
CREATE TEMP TABLE earlier AS
SELECT n, strftime(DATE '2026-10-01' - INTERVAL (n) MONTH, '%Y-%m') AS period
FROM range(1, $months) t(n);
INSERT INTO odoo_postings
SELECT x.* REPLACE (replace(x.invoice_key, '/2026-10', '/' || m.period) AS invoice_key,
                  m.period AS billing_period, x.odoo_move_id + m.n * 1000000 AS odoo_move_id,
                  x.odoo_number || '-' || m.n AS odoo_number)
FROM odoo_postings x, earlier m
WHERE x.billing_period = '2026-10';
INSERT INTO reconciliation_odoo
SELECT x.* REPLACE (replace(x.invoice_key, '/2026-10', '/' || m.period) AS invoice_key,
                  m.period AS billing_period, x.odoo_move_id + m.n * 1000000 AS odoo_move_id,
                  x.odoo_number || '-' || m.n AS odoo_number)
FROM reconciliation_odoo x, earlier m
WHERE x.billing_period = '2026-10';
INSERT INTO rated_account_links
SELECT x.* REPLACE (m.period AS billing_period)
FROM rated_account_links x, earlier m
WHERE x.billing_period = '2026-10';
INSERT INTO invoice_lines
SELECT x.* REPLACE (replace(x.invoice_key, '/2026-10', '/' || m.period) AS invoice_key,
                  m.period AS billing_period)
FROM invoice_lines x, earlier m
WHERE x.billing_period = '2026-10';
