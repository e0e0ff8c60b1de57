/**
 * A bounded FIFO for what a device could not send while disconnected. Memory on a gateway is finite and fresh
 * telemetry is worth more than old: when full, the oldest item goes, and the drop is counted.
 */
export class OfflineQueue<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #dropped = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('the queue limit is a positive integer');
    this.#limit = limit;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Items dropped so far to make room. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Appends; returns the items dropped to make room (oldest first). */
  push(item: T): T[] {
    this.#items.push(item);
    return this.#trim();
  }

  /**
   * Puts items back in front, in their order: messages sent but never acknowledged are older than anything
   * queued since. Returns the items dropped to stay within the limit.
   */
  requeue(items: readonly T[]): T[] {
    this.#items.unshift(...items);
    return this.#trim();
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    return this.#items.splice(0);
  }

  #trim(): T[] {
    const excess = this.#items.length - this.#limit;
    if (excess <= 0) return [];
    this.#dropped += excess;
    return this.#items.splice(0, excess);
  }
}
