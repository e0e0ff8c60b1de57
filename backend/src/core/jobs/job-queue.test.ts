/**
 * The job queue on a real PostgreSQL with two backend instances: a job runs once however many
 * workers poll, a dead worker's job is taken over when its lease runs out, failures retry with
 * backoff and then stop, and a dedupe key makes enqueueing idempotent.
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { Database } from '../database/database.js';
import { JobQueue } from './job-queue.js';
import { JobWorker } from './job-worker.js';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({ sameDatabaseAs: a });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const drain = async (...workers: JobWorker[]) => {
  for (let busy = true; busy; ) {
    busy = (await Promise.all(workers.map((w) => w.runOnce()))).some(Boolean);
  }
};

describe('job queue', () => {
  it('runs each job exactly once when two instances poll at the same time', async () => {
    const ran: string[] = [];
    const queue = a.app.get(JobQueue);
    const workers = [a.app.get(JobWorker), b.app.get(JobWorker)];
    for (const [index, worker] of workers.entries()) {
      worker.register('test.once', async ({ job }) => {
        ran.push(`${index}:${String(job.payload.n)}`);
        await new Promise((r) => setTimeout(r, 5));
      });
    }
    const db = a.app.get(Database);
    await db.transaction(async (tx) => {
      for (let n = 0; n < 20; n++) await queue.enqueue(tx, 'test.once', { n });
    });
    await drain(...workers);
    expect(ran.map((r) => r.split(':')[1]).sort((x, y) => Number(x) - Number(y))).toEqual(
      Array.from({ length: 20 }, (_, n) => String(n)),
    );
    // Both instances took part.
    expect(new Set(ran.map((r) => r.split(':')[0])).size).toBe(2);
  });

  it('enqueues once per dedupe key, and nothing when the transaction rolls back', async () => {
    const queue = a.app.get(JobQueue);
    const db = a.app.get(Database);
    const first = await queue.enqueue(db.pool, 'test.dedupe', {}, { dedupeKey: 'slot-1' });
    const second = await queue.enqueue(db.pool, 'test.dedupe', {}, { dedupeKey: 'slot-1' });
    expect(second).toBe(first);
    await expect(
      db.transaction(async (tx) => {
        await queue.enqueue(tx, 'test.dedupe', {}, { dedupeKey: 'slot-2' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const count = await a.adminPool.oneFirst(
      sql.unsafe`SELECT count(*)::int FROM jobs WHERE queue = 'test.dedupe'`,
    );
    expect(count).toBe(1);
  });

  it('gives a job whose worker died to another worker once the lease expires', async () => {
    const queue = a.app.get(JobQueue);
    const id = await queue.enqueue(a.app.get(Database).pool, 'test.lease', {});
    // A worker claims it and dies (never completes, never renews).
    const claimed = await queue.claim(['test.lease'], 'dead-worker', 60_000);
    expect(claimed?.id).toBe(id);
    expect(await queue.claim(['test.lease'], 'other', 60_000)).toBeNull();
    await a.adminPool.query(
      sql.unsafe`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`,
    );
    const taken = await queue.claim(['test.lease'], 'other', 60_000);
    expect(taken).toMatchObject({ id, attempts: 2 });
    // The dead worker can no longer complete or renew it.
    expect(await queue.heartbeat(id, 'dead-worker', 60_000)).toBe(false);
    await queue.complete(id, 'other');
    expect((await queue.get(id))?.state).toBe('done');
  });

  it('retries a failing job with backoff, records only the error code, and gives up after max attempts', async () => {
    const queue = a.app.get(JobQueue);
    const worker = a.app.get(JobWorker);
    let calls = 0;
    worker.register('test.failing', async () => {
      calls++;
      throw Object.assign(new Error('patient Jane Doe not found'), { code: 'subject_missing' });
    });
    const id = await queue.enqueue(a.app.get(Database).pool, 'test.failing', {}, { maxAttempts: 2 });
    await worker.runOnce();
    let job = await queue.get(id);
    expect(job).toMatchObject({ state: 'queued', attempts: 1, last_error: 'subject_missing' });
    expect(job?.run_at.getTime()).toBeGreaterThan(Date.now());
    await a.adminPool.query(sql.unsafe`UPDATE jobs SET run_at = now() WHERE id = ${id}`);
    await worker.runOnce();
    job = await queue.get(id);
    expect(job).toMatchObject({ state: 'failed', attempts: 2, last_error: 'subject_missing' });
    expect(calls).toBe(2);
  });

  it('records progress while a job runs', async () => {
    const queue = a.app.get(JobQueue);
    const worker = a.app.get(JobWorker);
    let seen: unknown;
    worker.register('test.progress', async ({ job, progress }) => {
      await progress({ done: 5, total: 10, stage: 'telemetry' });
      seen = (await queue.get(job.id))?.progress;
    });
    await queue.enqueue(a.app.get(Database).pool, 'test.progress', {});
    await worker.runOnce();
    expect(seen).toEqual({ done: 5, total: 10, stage: 'telemetry' });
  });
});

describe('jobs whose worker keeps dying', () => {
  it('fail for good once their attempts are used up, instead of being claimed forever', async () => {
    const queue = a.app.get(JobQueue);
    const id = await queue.enqueue(a.app.get(Database).pool, 'test.dying', {}, { maxAttempts: 2 });
    for (const worker of ['w1', 'w2']) {
      expect((await queue.claim(['test.dying'], worker, 60_000))?.id).toBe(id);
      await a.adminPool.query(
        sql.unsafe`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`,
      );
    }
    expect(await queue.claim(['test.dying'], 'w3', 60_000)).toBeNull();
    expect(await queue.get(id)).toMatchObject({ state: 'failed', attempts: 2, last_error: 'lease_expired' });
  });

  it('cannot be completed by a worker that lost the lease: its transaction rolls back', async () => {
    const queue = a.app.get(JobQueue);
    const db = a.app.get(Database);
    const id = await queue.enqueue(db.pool, 'test.lost', {});
    await queue.claim(['test.lost'], 'slow', 60_000);
    await a.adminPool.query(
      sql.unsafe`UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = ${id}`,
    );
    await queue.claim(['test.lost'], 'fast', 60_000);
    expect(await queue.complete(id, 'slow')).toBe(false);
    expect(await queue.complete(id, 'fast')).toBe(true);
  });
});
