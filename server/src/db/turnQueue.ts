/**
 * A line in front of the connection pool. pg's pool counts the wait for a free connection
 * against `connectionTimeoutMillis`, so thousands of EXPLAINs asked for at once on four
 * connections, or a few stuck behind a lock, looked like a database that does not answer. Here
 * at most as many callers as the pool has connections hold a turn; the rest wait, in the order
 * they asked, for as long as it takes, and the pool's timeout is left to count connecting only.
 */

/** Thrown to a waiter whose signal aborted before its turn came. */
export class TurnCancelled extends Error {
  constructor() {
    super('cancelled before its turn');
  }
}

interface Waiter {
  grant: () => void;
  refuse: (error: Error) => void;
  /** Checked when its turn comes: a waiter whose run was cancelled is passed over then. */
  signal?: AbortSignal;
}

export class TurnQueue {
  private running = 0;
  /** Waiters in order; `head` is the next one (a shift per turn would copy 20,000 entries each time). */
  private waiters: Waiter[] = [];
  private head = 0;
  private closedWith: Error | undefined;

  constructor(private readonly size: number) {}

  /** How many wait for a turn. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }

  /**
   * Resolves with the function that ends the turn, once it is the caller's; rejects with
   * TurnCancelled when `signal` has aborted by then, or with the reason given to `close`.
   */
  take(signal?: AbortSignal): Promise<() => void> {
    if (this.closedWith) {
      return Promise.reject(this.closedWith);
    }
    if (signal?.aborted) {
      return Promise.reject(new TurnCancelled());
    }
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    // No abort listener per waiter (thousands on one signal): the line is short-lived, and a
    // cancelled waiter leaves it when its turn comes, at no cost to the database.
    return new Promise((resolve, reject) => {
      this.waiters.push({ grant: () => resolve(this.releaser()), refuse: reject, signal });
    });
  }

  /** Refuses every waiter and every later `take` with `reason` (the planner is closing). */
  close(reason: Error): void {
    this.closedWith = reason;
    const waiters = this.waiters.slice(this.head);
    this.waiters = [];
    this.head = 0;
    for (const waiter of waiters) {
      waiter.refuse(reason);
    }
  }

  /** Ends a turn once, however often it is called, and hands it to the next waiter still wanted. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.next();
    };
  }

  private next(): void {
    while (this.head < this.waiters.length && this.running < this.size) {
      const waiter = this.waiters[this.head++];
      if (waiter.signal?.aborted) {
        waiter.refuse(new TurnCancelled());
      } else {
        this.running++;
        waiter.grant();
      }
    }
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }
}
