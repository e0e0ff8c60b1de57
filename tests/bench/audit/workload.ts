/**
 * The workload of `npm run bench:audit`: realistic event drafts, closed-loop writers, the audit
 * trail's background jobs as production schedules them, and the unaudited baseline (a plain table
 * fed by the same group-commit algorithm). Plain TypeScript: Node runs it with type stripping.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const TENANT = '0a1c0000-0000-4000-8000-000000000001';

// A fleet and a patient population of a realistic size: subject keys are created on first use,
// then served from the vault's cache, as in a running instance.
const devices = Array.from({ length: 10_000 }, () => randomUUID());
const patients = Array.from({ length: 5_000 }, () => randomUUID());

export interface Draft {
  type: 'device.updated';
  outcome: 'allowed';
  resource: { type: 'Device'; id: string; tenantId: string };
  payload: { changed: string[]; after: Record<string, string> };
  subject?: { kind: 'patient'; tenantId: string; id: string };
  personal?: Record<string, string>;
}

/**
 * Event `i`: a device update; every third one also (re)assigns the device to a patient, so the
 * event names a data subject and carries sealed personal data (AES-GCM under that subject's key).
 * Sealed entries come to ~600 and ~870 bytes, ~690 on average.
 */
export function draft(i: number, deviceId?: string): Draft {
  const resource = {
    type: 'Device' as const,
    id: deviceId ?? (devices[i % devices.length] as string),
    tenantId: TENANT,
  };
  if (i % 3 !== 1) {
    return {
      type: 'device.updated',
      outcome: 'allowed',
      resource,
      payload: {
        changed: ['model', 'firmwareVersion'],
        after: { model: 'CX-Temp 2', firmwareVersion: `2.4.${i % 10}` },
      },
    };
  }
  const patientId = patients[(i * 7919) % patients.length] as string;
  return {
    type: 'device.updated',
    outcome: 'allowed',
    resource,
    payload: { changed: ['patientId', 'labels'], after: { labels: `ward-${i % 12}` } },
    subject: { kind: 'patient', tenantId: TENANT, id: patientId },
    personal: { patientId },
  };
}

export interface LoopResult {
  count: number;
  errors: number;
  seconds: number;
  firstError: string | null;
}

/**
 * `writers` concurrent loops calling `op` until `seconds` have passed (or `stop()` says so); counts
 * the operations that completed. Failures are counted, never hidden.
 */
export async function closedLoop(
  writers: number,
  seconds: number,
  op: (writer: number, i: number) => Promise<void>,
  stop: (count: number) => boolean = () => false,
): Promise<LoopResult> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const result = { count: 0, errors: 0, firstError: null as string | null };
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let i = 0; performance.now() < deadline && !stop(result.count); i++) {
        try {
          await op(writer, i);
          result.count++;
        } catch (error) {
          result.errors++;
          result.firstError ??= String(error);
          await sleep(10);
        }
      }
    }),
  );
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

export interface Job {
  runs: number;
  failures: number;
  firstError: string | null;
  /** Skips runs from now on; resolves once a run in progress has ended. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

/** Runs `run`, then waits `intervalMs`, then again (as AuditTrail schedules its jobs: never overlapping). */
export function every(intervalMs: number, run: () => Promise<unknown>): Job {
  let stopped = false;
  let paused = false;
  let current: Promise<unknown> = Promise.resolve();
  const abort = new AbortController();
  const job: Job = {
    runs: 0,
    failures: 0,
    firstError: null,
    async pause() {
      paused = true;
      await current;
    },
    resume() {
      paused = false;
    },
    async stop() {
      stopped = true;
      abort.abort();
      await loop;
    },
  };
  const loop = (async () => {
    while (!stopped) {
      if (!paused) {
        current = run().then(
          () => {
            job.runs++;
          },
          (error: unknown) => {
            job.failures++;
            job.firstError ??= String(error);
          },
        );
        await current;
      }
      await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  return job;
}

/** Percentile of already sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/**
 * CPU seconds used so far by the PostgreSQL server of `dataDir` (postmaster and its children), from
 * /proc: with Node's own figure it shows which side a scenario is bound by. Null off Linux.
 */
export async function postgresCpuSeconds(dataDir: string): Promise<number | null> {
  try {
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    let ticks = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      // Fields after the command name: state ppid … utime(14) stime(15), counted from 3.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(entry) === postmaster || Number(fields[1]) === postmaster) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    }
    return ticks / 100; // USER_HZ
  } catch {
    return null;
  }
}
