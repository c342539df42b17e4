-- Reports the shop runs every night. One of them has a typo that PostgreSQL would reject:
-- Query Lens underlines the token, with PostgreSQL's own message.

-- Revenue per customer this month
SELECT c.id, c.email, sum(o.total_cents) AS revenue_cents
FROM customers c
JOIN orders o ON o.customer_id = c.id
WHERE o.created_at >= date_trunc('month', now())
  AND o.status IN ('paid', 'shipped')
GROUP BY c.id, c.email
ORDER BY revenue_cents DESC
LIMIT 20;

-- Orders still pending after a day (the doubled AND is the typo)
SELECT o.id, o.customer_id, o.created_at
FROM orders o
WHERE o.status = 'pending'
  AND AND o.created_at < now() - interval '1 day';

-- Items sold per SKU
SELECT sku, sum(quantity) AS sold
FROM order_items
GROUP BY sku
ORDER BY sold DESC;
