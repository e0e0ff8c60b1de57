/**
 * Keeps the telemetry table's daily partitions created ahead of time, so that ingest never waits
 * for DDL: at start (back to the oldest accepted measurement time, for devices flushing an offline
 * queue) and then every hour. Several instances may run it at once; creation is idempotent.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../core/config/config.js';
import { APP_LOGGER } from '../../core/core.tokens.js';
import { type PeriodicJob, runPeriodically } from '../../core/jobs/periodic.js';
import { TelemetryRepository } from './telemetry.repository.js';

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;

@Injectable()
export class TelemetryPartitionsJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job: PeriodicJob | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(TelemetryRepository) private readonly repository: TelemetryRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run(this.config.TELEMETRY_MAX_AGE_HOURS * HOUR_MS);
    // run() reports its own failures.
    this.job = runPeriodically(
      HOUR_MS,
      () => this.run(DAY_MS),
      () => undefined,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** Ensures partitions from `lookBehindMs` ago to the configured days ahead; returns how many it created. */
  async run(lookBehindMs: number): Promise<number> {
    const now = Date.now();
    try {
      const created = await this.repository.ensurePartitions(
        new Date(now - lookBehindMs),
        new Date(now + this.config.TELEMETRY_PARTITIONS_AHEAD_DAYS * DAY_MS),
      );
      if (created > 0) this.logger.info({ created }, 'telemetry partitions created');
      return created;
    } catch (error) {
      // Ingest creates a missing partition itself; the next run tries again.
      this.logger.error({ err: { message: (error as Error).message } }, 'telemetry partition job failed');
      return 0;
    }
  }
}
