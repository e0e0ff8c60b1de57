/**
 * The load generator: sends telemetry at a fleet-wide rate, handing each due message to the next device in
 * turn (round robin), so every device publishes at rate / devices and the broker sees the load spread over
 * all connections, as a real fleet would spread it. It counts what each publish came to: acknowledged by the
 * broker (PUBACK), dropped by the agent's full offline queue, or failed otherwise.
 */
import { AgentError } from '../agent/errors.js';
import { Pacer, tickIntervalMs } from './pacer.js';

/** Sends one message from one device; resolves on the broker's acknowledgement. */
export type PublishOne = () => Promise<void>;

export interface LoadCounters {
  sent: number;
  acked: number;
  /** The agent's offline queue was full (a device offline for long), and this message was the oldest. */
  dropped: number;
  /** Refused by the broker, or not delivered before its agent stopped. */
  failed: number;
  /** Due while the process was too far behind: never sent (see Pacer). */
  skipped: number;
}

export interface LoadGeneratorOptions {
  devices: readonly PublishOne[];
  ratePerSecond: number;
  /** Milliseconds from a monotonic clock; tests pass a fake one. */
  now?: () => number;
}

export class LoadGenerator {
  readonly #devices: readonly PublishOne[];
  readonly #rate: number;
  readonly #now: () => number;
  #pacer: Pacer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;
  readonly #counters = { sent: 0, acked: 0, dropped: 0, failed: 0 };

  constructor(options: LoadGeneratorOptions) {
    if (options.devices.length === 0) throw new RangeError('no devices to publish from');
    this.#devices = options.devices;
    this.#rate = options.ratePerSecond;
    this.#now = options.now ?? (() => performance.now());
  }

  start(): void {
    if (this.#timer) return;
    this.#pacer = new Pacer(this.#rate, this.#now());
    this.#timer = setInterval(() => this.#tick(), tickIntervalMs(this.#rate));
  }

  /** Stops sending; messages already sent still settle (see `drain`). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get counters(): LoadCounters {
    return { ...this.#counters, skipped: this.#pacer?.skipped ?? 0 };
  }

  /** Messages sent whose outcome is not known yet. */
  get inFlight(): number {
    const { sent, acked, dropped, failed } = this.#counters;
    return sent - acked - dropped - failed;
  }

  /** Resolves once every message sent has settled, or after `timeoutMs`; true if all settled. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.inFlight === 0;
  }

  #tick(): void {
    const due = this.#pacer?.take(this.#now()) ?? 0;
    for (let i = 0; i < due; i++) {
      const publish = this.#devices[this.#next] as PublishOne;
      this.#next = (this.#next + 1) % this.#devices.length;
      this.#send(publish);
    }
  }

  #send(publish: PublishOne): void {
    this.#counters.sent += 1;
    let sending: Promise<void>;
    try {
      sending = publish();
    } catch {
      // A publish that throws at once (a value JSON cannot carry) counts as failed, not as a crash.
      this.#counters.failed += 1;
      return;
    }
    sending.then(
      () => {
        this.#counters.acked += 1;
      },
      (error: unknown) => {
        if (error instanceof AgentError && error.code === 'dropped') this.#counters.dropped += 1;
        else this.#counters.failed += 1;
      },
    );
  }
}
