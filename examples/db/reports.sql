-- Reports the shop runs every night. One of them has a typo that PostgreSQL's parser rejects,
-- another names a column the schema (schema.sql) does not have, which the planner rejects:
-- Query Lens underlines both, with PostgreSQL's own messages.

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

-- Average order value per status (the column is total_cents: only the planner can tell)
SELECT o.status, avg(o.total) AS average
FROM orders o
GROUP BY o.status;
