/**
 * Runs one retention run: plans the cutoffs from the run's start, then works through its units
 * (each expired telemetry day, then each delete/anonymise schedule, then the review schedules),
 * keeping the report current in the same transactions as the work, and ends by signing a receipt
 * per tenant into the audit trail. A run cut short (crash, lost lease) is resumed by its job's next
 * attempt: finished units are skipped, and the counts so far are kept, so the receipts stay exact.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { type JobContext, JobLost } from '../../../core/jobs/job-worker.js';
import { DECLARATIONS } from './retention.dto.js';
import type { RetentionContext, RetentionObserver } from './retention-context.js';
import { planSchedules, type SchedulePlan } from './retention-plan.js';
import { RetentionReceipts } from './retention-receipt.js';
import { newReport, ReportLedger, type RetentionReport, storedReportSchema } from './retention-report.js';
import { RetentionRunsRepository, type RunRow, RunSuperseded } from './retention-runs.repository.js';
import { RetentionSchedulesRepository } from './retention-schedules.repository.js';
import { retentionTransaction } from './retention-sql.js';
import { RowRetention } from './row-retention.js';
import { tableLink } from './table-links.js';
import { TelemetryRetention } from './telemetry-retention.js';

export interface ExecuteOptions {
  job?: Pick<JobContext, 'progress' | 'completeIn'>;
  observer?: RetentionObserver;
}

@Injectable()
export class RetentionEngine {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RetentionRunsRepository) private readonly runs: RetentionRunsRepository,
    @Inject(RetentionSchedulesRepository) private readonly schedules: RetentionSchedulesRepository,
    @Inject(RetentionReceipts) private readonly receipts: RetentionReceipts,
  ) {}

  /** Runs (or resumes) the run; null when it is already complete or does not exist. */
  async execute(runId: string, options: ExecuteOptions = {}): Promise<RetentionReport | null> {
    const attempt = randomUUID();
    const run = await this.runs.resume(runId, attempt);
    if (!run) return null;
    const { ctx, plans } = await this.prepare(run, attempt, options);
    try {
      await this.work(ctx, plans, options);
      return await this.finish(ctx, options);
    } catch (error) {
      // Kept for the officer (and for the next attempt, which starts from the stored report),
      // unless another attempt owns the run now.
      if (!(error instanceof RunSuperseded) && !(error instanceof JobLost)) {
        await this.runs.finish(runId, 'failed', ctx.ledger.report, this.db.pool).catch(() => undefined);
      }
      throw error;
    }
  }

  private async prepare(run: RunRow, attempt: string, options: ExecuteOptions) {
    const scope = { tenantId: run.tenant_id };
    const settings = await this.schedules.settings(scope.tenantId);
    const plans = planSchedules(DECLARATIONS.schedules, settings, new Date(run.started_at), scope);
    // Tables whose rows belong to no tenant report in a section of their own (tenantId null).
    const ownerless = new Set(
      plans
        .filter((p) => tableLink(DECLARATIONS.dataMap, p.schedule.table).tenant === null)
        .map((p) => p.schedule.id),
    );
    const plansFor = (tenantId: string | null) =>
      plans.filter((p) => ownerless.has(p.schedule.id) === (tenantId === null));
    const tenants: Array<string | null> = await this.runs.tenants(scope.tenantId);
    if (scope.tenantId === null) tenants.push(null);
    const report = resumed(run, attempt) ?? newReport({ ...head(run), attempt }, plansFor, tenants);
    const ledger = new ReportLedger(report, plansFor);
    const ctx: RetentionContext = {
      db: this.db,
      dataMap: DECLARATIONS.dataMap,
      scope,
      dryRun: run.dry_run,
      batchSize: this.config.RETENTION_BATCH_SIZE,
      ledger,
      save: (db: Queryable) => this.runs.saveReport(run.id, ledger.report, db),
      heartbeat: async (stage) => {
        await options.job?.progress({ done: ledger.report.done.length, total: null, stage });
      },
      observer: options.observer,
    };
    return { ctx, plans };
  }

  private async work(
    ctx: RetentionContext,
    plans: readonly SchedulePlan[],
    options: ExecuteOptions,
  ): Promise<void> {
    const telemetry = new TelemetryRetention(
      ctx,
      plans.filter((p) => p.schedule.action === 'drop-partitions'),
    );
    const rows = plans
      .filter((p) => p.schedule.action !== 'drop-partitions')
      // Deletions and anonymisation first, then the reviews that only count.
      .sort((a, b) => Number(a.schedule.action === 'review') - Number(b.schedule.action === 'review'))
      .map((plan) => new RowRetention(ctx, plan));
    const units: Array<[string, () => Promise<void>]> = [
      ...(await telemetry.units(this.db.pool)).map((unit): [string, () => Promise<void>] => [
        unit,
        () => telemetry.process(unit),
      ]),
      ...rows.map((step): [string, () => Promise<void>] => [step.unit, () => step.process()]),
    ];
    for (const [index, [unit, process]] of units.entries()) {
      if (ctx.ledger.isDone(unit)) continue;
      await ctx.observer?.unitStarted?.(unit);
      await process();
      await ctx.observer?.unitFinished?.(unit);
      await options.job?.progress({ done: index + 1, total: units.length, stage: unit });
    }
  }

  private async finish(ctx: RetentionContext, options: ExecuteOptions): Promise<RetentionReport> {
    const { report } = ctx.ledger;
    report.finishedAt = await this.runs.now();
    await retentionTransaction(this.db, async (tx) => {
      report.receipts = await this.receipts.issue(tx, report);
      await this.runs.finish(report.runId, 'completed', report, tx);
      // The job is done exactly when the run is complete and its receipts are in the trail.
      await options.job?.completeIn(tx);
    });
    return report;
  }
}

const head = (run: RunRow) => ({
  runId: run.id,
  dryRun: run.dry_run,
  trigger: run.slot === null ? ('manual' as const) : ('scheduled' as const),
  scope: { tenantId: run.tenant_id },
  slot: run.slot,
  startedAt: run.started_at,
});

/** The report of an earlier attempt of the same run, to continue from. */
function resumed(run: RunRow, attempt: string): RetentionReport | null {
  const parsed = storedReportSchema.safeParse(run.report);
  if (!parsed.success || parsed.data.runId !== run.id) return null;
  return { ...(run.report as unknown as RetentionReport), attempt, finishedAt: null, receipts: [] };
}
