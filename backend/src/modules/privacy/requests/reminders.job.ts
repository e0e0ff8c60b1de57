/**
 * Reminders about deadlines, in every instance on a timer (PRIVACY_REMINDER_INTERVAL_MS): a warning
 * once a request is due within 7 days, then a reminder every day it is overdue, each recorded as
 * `privacy.request_overdue` and mailed to the assignee (or to whoever may work the request), one mail
 * job per recipient. Rows are claimed with FOR UPDATE SKIP LOCKED and stamped with last_reminded_at
 * in the same transaction, so however many instances run at once each reminder goes out once.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { sql } from 'slonik';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { type PeriodicJob, runPeriodically } from '../../../core/jobs/periodic.js';
import { RequestCodesRepository } from './request-codes.repository.js';
import { RequestJournal } from './request-journal.js';
import { RequestMails } from './request-mails.js';
import { openStatuses } from './request-states.js';
import { RequestsRepository } from './requests.repository.js';

const BATCH = 100;
const DAY_MS = 86_400_000;
export const WARNING_DAYS = 7;

const dueRow = z.object({ id: z.uuid(), effective_due_at: z.string() });

@Injectable()
export class RemindersJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job: PeriodicJob | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(Database) private readonly db: Database,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestCodesRepository) private readonly codes: RequestCodesRepository,
    @Inject(RequestJournal) private readonly journal: RequestJournal,
    @Inject(RequestMails) private readonly mails: RequestMails,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.JOBS_ENABLED || this.config.PRIVACY_REMINDER_INTERVAL_MS === 0) return;
    this.job = runPeriodically(
      this.config.PRIVACY_REMINDER_INTERVAL_MS,
      () => this.remind(),
      (error) => this.logger.warn({ err: { name: error.name } }, 'privacy request reminders failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass; returns how many reminders (and warnings) it recorded. */
  async remind(): Promise<number> {
    let total = 0;
    for (let batch = await this.remindBatch(); batch > 0; batch = await this.remindBatch()) total += batch;
    await this.codes.purgeOldWindows(this.db.pool);
    return total;
  }

  private remindBatch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const effective = sql.fragment`COALESCE(r.extended_due_at, r.due_at)`;
      const rows = await tx.any(sql.type(dueRow)`
        WITH due AS (
          SELECT r.id FROM privacy_requests r
          WHERE r.status = ANY(${sql.array([...openStatuses], 'text')})
            AND ((${effective} < now()
                  AND (r.last_reminded_at IS NULL OR r.last_reminded_at < ${effective}
                       OR r.last_reminded_at < now() - interval '1 day'))
              OR (${effective} >= now() AND ${effective} < now() + make_interval(days => ${WARNING_DAYS})
                  AND (r.last_reminded_at IS NULL
                       OR r.last_reminded_at < ${effective} - make_interval(days => ${WARNING_DAYS}))))
          ORDER BY ${effective}, r.id
          LIMIT ${BATCH}
          FOR UPDATE SKIP LOCKED)
        -- A reminder is bookkeeping, not a change of the request: version and updated_at stay.
        UPDATE privacy_requests r SET last_reminded_at = now() FROM due WHERE r.id = due.id
        RETURNING r.id, ${effective} AS effective_due_at`);
      const now = Date.now();
      for (const row of rows) {
        const request = await this.requests.findById(row.id, tx);
        if (!request) continue;
        const late = now - new Date(row.effective_due_at).getTime();
        const warning = late < 0;
        const daysOverdue = warning ? -Math.ceil(-late / DAY_MS) : Math.floor(late / DAY_MS);
        await this.journal.record(tx, 'system', request, {
          type: 'privacy.request_overdue',
          payload: { dueAt: row.effective_due_at, daysOverdue, ...(warning ? { warning: true } : {}) },
        });
        await this.mails.enqueueReminders(tx, request, {
          daysOverdue,
          occasion: warning ? 'warning' : 'overdue',
          at: new Date(now).toISOString(),
        });
      }
      return rows.length;
    });
  }
}
