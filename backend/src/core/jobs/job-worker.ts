/**
 * Runs queued jobs in this instance. Domain modules register a handler per queue (in their
 * `onModuleInit`); the worker starts polling once the application has booted, one job at a time,
 * renewing the job's lease while the handler runs, and stops cleanly on shutdown (a job cut short is
 * picked up again when its lease expires). Failures are logged by code only: no personal data.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DatabaseTransactionConnection } from 'slonik';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER } from '../core.tokens.js';
import { errorCode } from './error-code.js';
import { type Job, type JobProgress, JobQueue } from './job-queue.js';

export interface JobContext {
  job: Job;
  /** Reports progress (and renews the lease); throws JobLost when another worker took the job over. */
  progress(progress: JobProgress): Promise<void>;
  /** Marks the job done inside the handler's own transaction, so its effects and completion commit together. */
  completeIn(tx: DatabaseTransactionConnection): Promise<void>;
  signal: AbortSignal;
}

export type JobHandler = (context: JobContext) => Promise<void>;

export class JobLost extends Error {
  override name = 'JobLost';
}

const LEASE_MS = 60_000;

@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;

  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  register(queue: string, handler: JobHandler): void {
    if (this.handlers.has(queue)) throw new Error(`a handler for job queue ${queue} is already registered`);
    this.handlers.set(queue, handler);
  }

  onApplicationBootstrap(): void {
    if (!this.config.JOBS_ENABLED || this.handlers.size === 0) return;
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.running;
  }

  /** Runs due jobs now instead of at the next poll (after an enqueue in this instance). */
  poke(): void {
    this.wake?.();
  }

  /** Claims and runs one due job; false when there was none. Tests call this to run jobs deterministically. */
  async runOnce(): Promise<boolean> {
    const job = await this.queue.claim([...this.handlers.keys()], this.workerId, LEASE_MS);
    if (!job) return false;
    await this.execute(job);
    return true;
  }

  private async loop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.logger.error({ code: errorCode(error) }, 'job queue poll failed');
      }
      if (!worked) await this.sleep(this.config.JOBS_POLL_INTERVAL_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.queue);
    if (!handler) return;
    let completed = false;
    const beat = setInterval(() => {
      void this.queue.heartbeat(job.id, this.workerId, LEASE_MS).catch(() => undefined);
    }, LEASE_MS / 3);
    beat.unref();
    const context: JobContext = {
      job,
      signal: this.stopping.signal,
      progress: async (progress) => {
        if (!(await this.queue.heartbeat(job.id, this.workerId, LEASE_MS, progress))) throw new JobLost();
      },
      completeIn: async (tx) => {
        // Another worker owns the job now: throwing rolls the handler's transaction back.
        if (!(await this.queue.complete(job.id, this.workerId, tx))) throw new JobLost();
        completed = true;
      },
    };
    const started = Date.now();
    try {
      await handler(context);
      if (!completed) await this.queue.complete(job.id, this.workerId);
      this.logger.info({ job: job.id, queue: job.queue, ms: Date.now() - started }, 'job done');
    } catch (error) {
      if (error instanceof JobLost) return;
      const code = errorCode(error);
      const outcome = await this.queue.fail(job, this.workerId, code, backoffMs(job.attempts));
      this.logger.error({ job: job.id, queue: job.queue, code, outcome }, 'job failed');
    } finally {
      clearInterval(beat);
    }
  }
}

function backoffMs(attempts: number): number {
  return Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}
