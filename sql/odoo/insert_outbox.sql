INSERT INTO odoo_outbox VALUES ($invoice_key, $billing_period, $customer_key, $service,
                                $content_hash, $amount_untaxed, $line_count, $payload,
                                $problem)
