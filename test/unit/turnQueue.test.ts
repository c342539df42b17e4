import * as assert from 'assert';
import { TurnCancelled, TurnQueue } from '../../server/src/db/turnQueue';

describe('TurnQueue: the line in front of the connection pool', () => {
  it('gives at most `size` turns at once, the others in the order they asked', async () => {
    const queue = new TurnQueue(2);
    const order: number[] = [];
    const ends: (() => void)[] = [];
    const takes = [1, 2, 3, 4, 5].map((n) =>
      queue.take().then((end) => {
        order.push(n);
        ends.push(end);
      }),
    );
    await Promise.all(takes.slice(0, 2));
    assert.deepStrictEqual([order, queue.waiting], [[1, 2], 3]);
    ends[0]();
    ends[0](); // ending a turn twice hands on one turn only
    await takes[2];
    assert.deepStrictEqual([order, queue.waiting], [[1, 2, 3], 2]);
    ends[1]();
    ends[2]();
    await Promise.all(takes);
    assert.deepStrictEqual(order, [1, 2, 3, 4, 5]);
  });

  it('passes over a waiter whose signal aborted, and refuses one that asks with an aborted signal', async () => {
    const queue = new TurnQueue(1);
    const end = await queue.take();
    const controller = new AbortController();
    const cancelled = queue.take(controller.signal);
    const kept = queue.take();
    controller.abort();
    end();
    await assert.rejects(cancelled, TurnCancelled);
    (await kept)();
    await assert.rejects(queue.take(controller.signal), TurnCancelled);
  });

  it('refuses every waiter, and every later caller, once closed', async () => {
    const queue = new TurnQueue(1);
    await queue.take();
    const waiting = queue.take();
    const reason = new Error('the connection to 127.0.0.1:5432 was closed');
    queue.close(reason);
    await assert.rejects(waiting, reason);
    await assert.rejects(queue.take(), reason);
  });
});
