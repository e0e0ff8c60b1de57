/**
 * Every PRIVACY_REMINDER_INTERVAL_MS, in every instance: records `privacy.breach_notification_overdue`
 * for each breach whose 72 hours passed without the authority being notified. Each breach is
 * reported once, by one instance: the repository marks it in the same transaction as the event, and
 * skips rows another instance is marking (SKIP LOCKED).
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { errorCode } from '../../../core/jobs/error-code.js';
import { type PeriodicJob, runPeriodically } from '../../../core/jobs/periodic.js';
import { BreachesRepository } from './breaches.repository.js';

const HOUR_MS = 3_600_000;

@Injectable()
export class BreachDeadlines implements OnApplicationBootstrap, OnApplicationShutdown {
  private job: PeriodicJob | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly db: Database,
    @Inject(BreachesRepository) private readonly breaches: BreachesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.JOBS_ENABLED || this.config.PRIVACY_REMINDER_INTERVAL_MS === 0) return;
    this.job = runPeriodically(
      this.config.PRIVACY_REMINDER_INTERVAL_MS,
      () => this.sweep(),
      (error) => this.logger.warn({ code: errorCode(error) }, 'breach deadline sweep failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass; returns how many breaches it reported as overdue. */
  sweep(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const overdue = await this.breaches.takeNewlyOverdue(tx);
      if (overdue.length === 0) return 0;
      const now = Date.now();
      await this.audit.record(
        tx,
        'system',
        ...overdue.map((breach) => ({
          type: 'privacy.breach_notification_overdue' as const,
          resource: { type: 'Breach', id: breach.id, tenantId: breach.tenantId },
          payload: {
            detectedAt: breach.detectedAt,
            hoursSince: Math.floor((now - Date.parse(breach.detectedAt)) / HOUR_MS),
          },
        })),
      );
      this.logger.info({ breaches: overdue.length }, 'breach notifications overdue');
      return overdue.length;
    });
  }
}
