-- A psql script: meta-commands, variables and COPY data are psql's, not SQL, and are not flagged.
\set ON_ERROR_STOP on
\set shop_email 'shop@example.com'

BEGIN;
INSERT INTO customers (email, name) VALUES (:'shop_email', 'The Shop');

COPY order_items (order_id, sku, quantity, price_cents) FROM stdin;
1	SKU-1	2	1299
1	SKU-2	1	450
\.

SELECT count(*) AS customers FROM customers \gset
\if :customers
  \echo seeded :customers customers
\endif
COMMIT;
