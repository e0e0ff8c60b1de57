/**
 * What the simulator prints. On a terminal, a status line is redrawn in place, so a long run does not
 * scroll its history away; into a pipe or a file (CI, the tests), each status is a line of its own and
 * the provisioning count only every tenth of the way, so a log of 1000 devices stays readable.
 */
import type { LoadCounters } from './load.js';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  #status = '';
  readonly #out: Output;
  readonly #err: Output;

  constructor(out: Output, err: Output) {
    this.#out = out;
    this.#err = err;
  }

  get interactive(): boolean {
    return this.#out.isTTY === true;
  }

  /** A line that stays. */
  log(line: string): void {
    if (this.interactive && this.#status) this.#out.write(`\r\x1b[2K${line}\n${this.#status}`);
    else this.#out.write(`${line}\n`);
  }

  /** A line to stderr; on a terminal the status line is cleared first and drawn again after it. */
  error(line: string): void {
    if (this.interactive && this.#status) {
      this.#out.write('\r\x1b[2K');
      this.#err.write(`${line}\n`);
      this.#out.write(this.#status);
    } else {
      this.#err.write(`${line}\n`);
    }
  }

  /** A status that the next one replaces (on a terminal). */
  status(line: string): void {
    if (this.interactive) {
      this.#status = line;
      this.#out.write(`\r\x1b[2K${line}`);
    } else {
      this.#out.write(`${line}\n`);
    }
  }

  /** Keeps the current status line and moves below it. */
  endStatus(): void {
    if (this.interactive && this.#status) this.#out.write('\n');
    this.#status = '';
  }

  /** `provisioned 37/100`, on a terminal every time, elsewhere every tenth and at the end. */
  count(verb: string, done: number, total: number): void {
    const step = Math.max(1, Math.ceil(total / 10));
    if (this.interactive || done === total || done % step === 0) this.status(`${verb} ${done}/${total}`);
    if (done === total) this.endStatus();
  }
}

export interface StatsSample {
  atMs: number;
  counters: LoadCounters;
}

/** One status line: devices online, totals, and the rates since the previous sample. */
export function formatStats(
  current: StatsSample,
  previous: StatsSample,
  startMs: number,
  online: number,
  devices: number,
): string {
  const seconds = Math.max(0.001, (current.atMs - previous.atMs) / 1000);
  const sentRate = (current.counters.sent - previous.counters.sent) / seconds;
  const ackedRate = (current.counters.acked - previous.counters.acked) / seconds;
  const { sent, acked, dropped, failed, skipped } = current.counters;
  const elapsed = ((current.atMs - startMs) / 1000).toFixed(0).padStart(4);
  return (
    `[${elapsed}s] online ${online}/${devices}  sent ${sent}  acknowledged ${acked}  dropped ${dropped}` +
    `  failed ${failed}${skipped > 0 ? `  skipped ${skipped}` : ''}` +
    `  rate ${sentRate.toFixed(1)}/s sent, ${ackedRate.toFixed(1)}/s acknowledged`
  );
}

export function formatSummary(counters: LoadCounters, seconds: number): string {
  const { sent, acked, dropped, failed, skipped } = counters;
  const rate = seconds > 0 ? acked / seconds : 0;
  return (
    `messages: ${sent} sent, ${acked} acknowledged, ${dropped} dropped, ${failed} failed` +
    `${skipped > 0 ? `, ${skipped} skipped (the process fell behind)` : ''}` +
    ` in ${seconds.toFixed(1)} s (${rate.toFixed(1)} acknowledged/s)`
  );
}
