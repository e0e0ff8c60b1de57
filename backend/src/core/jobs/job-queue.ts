/**
 * The PostgreSQL-backed job queue (table `jobs`), shared by every backend instance. Enqueueing takes
 * the caller's transaction, so a job exists exactly when the change that asked for it committed. A
 * worker claims one job at a time with FOR UPDATE SKIP LOCKED under a lease; a job whose lease ran out
 * (its instance died) is claimed again, so handlers must be idempotent. See ADR 0019.
 */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../database/database.js';

export interface JobProgress {
  done: number;
  total: number | null;
  stage?: string;
}

export const jobRow = z.object({
  id: z.coerce.number(),
  queue: z.string(),
  payload: z.record(z.string(), z.unknown()),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  attempts: z.number(),
  max_attempts: z.number(),
  progress: z.record(z.string(), z.unknown()).nullable(),
  last_error: z.string().nullable(),
  run_at: z.coerce.date(),
  created_at: z.coerce.date(),
  finished_at: z.coerce.date().nullable(),
});
export type Job = z.infer<typeof jobRow>;

export interface EnqueueOptions {
  /** One job per key, ever: a second enqueue with the same key returns the first job's id. */
  dedupeKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}

const json = (value: unknown) => sql.jsonb(value as Parameters<typeof sql.jsonb>[0]);

@Injectable()
export class JobQueue {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Adds a job in `db`'s transaction; returns its id (the existing job's for a repeated dedupe key). */
  async enqueue(
    db: Queryable,
    queue: string,
    payload: Record<string, unknown>,
    options: EnqueueOptions = {},
  ): Promise<number> {
    const inserted = await db.maybeOne(sql.type(z.object({ id: z.coerce.number() }))`
      INSERT INTO jobs (queue, payload, dedupe_key, run_at, max_attempts)
      VALUES (${queue}, ${json(payload)}, ${options.dedupeKey ?? null},
              ${(options.runAt ?? new Date()).toISOString()}, ${options.maxAttempts ?? 5})
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id`);
    if (inserted) return inserted.id;
    return db.oneFirst(sql.type(z.object({ id: z.coerce.number() }))`
      SELECT id FROM jobs WHERE dedupe_key = ${options.dedupeKey ?? null}`);
  }

  /**
   * Claims the next due job of one of `queues` for `leaseMs`, or returns null. A running job whose
   * lease expired counts as due: its worker is gone.
   */
  async claim(queues: readonly string[], workerId: string, leaseMs: number): Promise<Job | null> {
    await this.failAbandoned(queues);
    return this.db.pool.maybeOne(sql.type(jobRow)`
      UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ${workerId},
                      locked_until = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = (
        SELECT id FROM jobs
        WHERE queue = ANY(${sql.array([...queues], 'text')})
          AND ((state = 'queued' AND run_at <= now()) OR (state = 'running' AND locked_until < now()))
        ORDER BY run_at, id
        FOR UPDATE SKIP LOCKED
        LIMIT 1)
      RETURNING id, queue, payload, state, attempts, max_attempts, progress, last_error, run_at, created_at,
                finished_at`);
  }

  /**
   * A job whose worker died on every attempt (say, a process killed by running out of memory) would
   * otherwise be claimed again forever: once its attempts are used up, it fails for good.
   */
  private async failAbandoned(queues: readonly string[]): Promise<void> {
    await this.db.pool.query(sql.unsafe`
      UPDATE jobs SET state = 'failed', finished_at = now(), locked_by = NULL, locked_until = NULL,
                      last_error = 'lease_expired'
      WHERE queue = ANY(${sql.array([...queues], 'text')}) AND state = 'running'
        AND locked_until < now() AND attempts >= max_attempts`);
  }

  /** Renews the lease and records progress; false when the job is no longer this worker's. */
  async heartbeat(id: number, workerId: string, leaseMs: number, progress?: JobProgress): Promise<boolean> {
    const row = await this.db.pool.maybeOne(sql.type(z.object({ id: z.coerce.number() }))`
      UPDATE jobs SET locked_until = now() + ${leaseMs} * interval '1 millisecond',
                      progress = COALESCE(${progress ? json(progress) : null}::jsonb, progress)
      WHERE id = ${id} AND locked_by = ${workerId} AND state = 'running'
      RETURNING id`);
    return row !== null;
  }

  /**
   * Marks the job done, in the handler's transaction when given (so its effects and completion commit
   * together); false when the job is no longer this worker's (its lease expired and another took it).
   */
  async complete(id: number, workerId: string, db: Queryable = this.db.pool): Promise<boolean> {
    const done = await db.query(sql.unsafe`
      UPDATE jobs SET state = 'done', finished_at = now(), locked_until = NULL
      WHERE id = ${id} AND locked_by = ${workerId} AND state = 'running'`);
    return done.rowCount === 1;
  }

  /** Records a failure: retried later with backoff while attempts remain, else failed for good. */
  async fail(job: Job, workerId: string, errorCode: string, retryInMs: number): Promise<'retry' | 'failed'> {
    const final = job.attempts >= job.max_attempts;
    await this.db.pool.query(sql.unsafe`
      UPDATE jobs SET state = ${final ? 'failed' : 'queued'}, last_error = ${errorCode.slice(0, 500)},
                      locked_by = NULL, locked_until = NULL,
                      run_at = now() + ${retryInMs} * interval '1 millisecond',
                      finished_at = ${final ? sql.unsafe`now()` : null}
      WHERE id = ${job.id} AND locked_by = ${workerId}`);
    return final ? 'failed' : 'retry';
  }

  async get(id: number): Promise<Job | null> {
    return this.db.pool.maybeOne(sql.type(jobRow)`
      SELECT id, queue, payload, state, attempts, max_attempts, progress, last_error, run_at, created_at, finished_at
      FROM jobs WHERE id = ${id}`);
  }
}
