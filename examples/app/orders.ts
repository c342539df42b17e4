// The shop's order queries, as application code writes them. Query Lens finds the SQL in each
// call and checks it like a .sql file, on the characters written here.
import { Pool } from 'pg';

const pool = new Pool();

/** Spliced into the SQL text: Query Lens offers to pass `customerId` as parameter $1. */
export async function ordersOf(customerId: string) {
  const { rows } = await pool.query(`SELECT id, status, total_cents FROM orders WHERE customer_id = ${customerId}`);
  return rows;
}

/** A page deep into the history: OFFSET reads and throws away every row before it. */
export async function oldOrders(page: number) {
  return pool.query('SELECT id, created_at FROM orders ORDER BY created_at OFFSET 100000 LIMIT 50');
}

/** Parameterised and explicit: nothing to say. */
export async function order(id: number) {
  return pool.query('SELECT id, status, total_cents FROM orders WHERE id = $1', [id]);
}

/** One query per order: n orders, n round trips. Query Lens suggests one query with `= ANY($1)`. */
export async function itemsOfEach(orderIds: number[]) {
  const items: unknown[][] = [];
  for (const orderId of orderIds) {
    const { rows } = await pool.query('SELECT sku, quantity FROM order_items WHERE order_id = $1', [orderId]);
    items.push(rows);
  }
  return items;
}
