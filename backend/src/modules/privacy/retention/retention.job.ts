/**
 * Retention as jobs on the shared queue (`privacy.retention`). Every instance that runs jobs
 * enqueues the day's scheduled run for RETENTION_RUN_AT_UTC under the dedupe key
 * `retention:<YYYY-MM-DD>`, so there is one run per day however many instances schedule it, and
 * whichever instance claims it (FOR UPDATE SKIP LOCKED) runs it. Manual runs come from the API.
 */
import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { JobQueue } from '../../../core/jobs/job-queue.js';
import { type JobContext, JobWorker } from '../../../core/jobs/job-worker.js';
import { type PeriodicJob, runPeriodically } from '../../../core/jobs/periodic.js';
import { RetentionEngine } from './retention-engine.js';
import { RetentionRunsRepository } from './retention-runs.repository.js';

export const RETENTION_QUEUE = 'privacy.retention';

/** How often an instance makes sure the day's run is queued (cheap: an insert that usually conflicts). */
const SCHEDULE_EVERY_MS = 10 * 60_000;

const payloadSchema = z.object({
  runId: z.uuid(),
  /** Set for the scheduled run: its daily slot. */
  slot: z.iso.date().optional(),
});

/** The UTC date of `now` and the instant of that day's run. */
export function dailySlot(now: Date, runAtUtc: string): { slot: string; runAt: Date } {
  const slot = now.toISOString().slice(0, 10);
  return { slot, runAt: new Date(`${slot}T${runAtUtc}:00.000Z`) };
}

@Injectable()
export class RetentionJobs implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private scheduler: PeriodicJob | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobWorker) private readonly worker: JobWorker,
    @Inject(RetentionEngine) private readonly engine: RetentionEngine,
    @Inject(RetentionRunsRepository) private readonly runs: RetentionRunsRepository,
  ) {}

  onModuleInit(): void {
    this.worker.register(RETENTION_QUEUE, (context) => this.handle(context));
  }

  /** An instance that runs no jobs schedules none either (tests run jobs by hand, JobWorker.runOnce). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.RETENTION_ENABLED || !this.config.JOBS_ENABLED) return;
    const onError = (error: Error) =>
      this.logger.error(
        { err: { name: error.name, code: (error as { code?: unknown }).code } },
        'retention scheduling failed',
      );
    await this.scheduleDaily().catch(onError);
    this.scheduler = runPeriodically(SCHEDULE_EVERY_MS, () => this.scheduleDaily(), onError);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scheduler?.stop();
  }

  /** Queues the day's scheduled run (a no-op when any instance already did); returns its job id. */
  scheduleDaily(now: Date = new Date()): Promise<number> {
    const { slot, runAt } = dailySlot(now, this.config.RETENTION_RUN_AT_UTC);
    // The first enqueue wins, with its run id: every instance and every retry then names the same run.
    return this.queue.enqueue(
      this.db.pool,
      RETENTION_QUEUE,
      { runId: randomUUID(), slot },
      {
        dedupeKey: `retention:${slot}`,
        runAt,
      },
    );
  }

  private async handle(context: JobContext): Promise<void> {
    const { runId, slot } = payloadSchema.parse(context.job.payload);
    if (slot) await this.runs.startScheduled(runId, slot);
    const report = await this.engine.execute(runId, { job: context });
    if (report) {
      this.logger.info(
        { run: runId, dryRun: report.dryRun, rows: report.totals.rows, partitions: report.totals.partitions },
        'retention run completed',
      );
    }
  }
}
