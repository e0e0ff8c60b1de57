/**
 * Exponential backoff with full jitter (a delay drawn uniformly between 0 and a ceiling that doubles on each
 * failure, up to a maximum): after a broker restart, a fleet of devices spreads its reconnects out instead of
 * arriving all at once.
 */
export interface BackoffOptions {
  /** The first ceiling, in ms; default 1000. */
  baseMs?: number;
  /** The largest ceiling, in ms; default 60 000. */
  maxMs?: number;
  /** A number in [0, 1); default `Math.random`. */
  random?: () => number;
}

export class Backoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor({ baseMs = 1000, maxMs = 60_000, random = Math.random }: BackoffOptions = {}) {
    if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError('backoff needs 0 < baseMs <= maxMs');
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
    this.#random = random;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt, counting one more failure. */
  next(): number {
    // 2 ** 31 is far past any maximum; capping the exponent keeps the product finite.
    const ceiling = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#failures, 31));
    this.#failures += 1;
    return Math.floor(this.#random() * ceiling);
  }

  reset(): void {
    this.#failures = 0;
  }
}
