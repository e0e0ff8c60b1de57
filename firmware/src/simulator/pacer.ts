/**
 * How many messages are due, for a fleet-wide rate. The count is derived from the time since the start, not
 * added up tick by tick, so timer jitter and slow ticks do not make the rate drift: a late tick sends what
 * the earlier ones owed. A process that falls far behind (an event loop blocked by the machine, a laptop
 * asleep) does not then fire a huge burst: the backlog is capped, and what is forgotten is counted.
 */
export class Pacer {
  readonly #perMs: number;
  readonly #maxBacklog: number;
  readonly #origin: number;
  #taken = 0;
  #skipped = 0;

  constructor(ratePerSecond: number, startMs: number, maxBacklogSeconds = 1) {
    if (!(ratePerSecond > 0)) throw new RangeError('the rate must be above 0');
    this.#perMs = ratePerSecond / 1000;
    this.#origin = startMs;
    this.#maxBacklog = Math.max(1, Math.ceil(ratePerSecond * maxBacklogSeconds));
  }

  /** Messages due by `nowMs` and not taken yet; at most the backlog cap. */
  take(nowMs: number): number {
    const due = Math.floor((nowMs - this.#origin) * this.#perMs);
    const owed = due - this.#taken;
    if (owed <= 0) return 0;
    // Everything due is now either handed out or forgotten.
    this.#taken = due;
    const count = Math.min(owed, this.#maxBacklog);
    this.#skipped += owed - count;
    return count;
  }

  /** Messages given up because the caller fell behind by more than the backlog cap. */
  get skipped(): number {
    return this.#skipped;
  }
}

/** Ticks often enough that each carries a message or a few, but not so often that idle ticks cost CPU. */
export function tickIntervalMs(ratePerSecond: number): number {
  return Math.min(100, Math.max(5, Math.floor(1000 / ratePerSecond)));
}
