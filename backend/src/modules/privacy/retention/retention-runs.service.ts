/**
 * Retention runs by hand: a privacy officer asks for a run (dry first, then real) over their own
 * tenant; the run happens in a job on any instance. Runs are listed newest first, each with the
 * part of its report the caller may see.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { decodeCursor, type Page } from '../../../core/http/pagination.js';
import { JobQueue } from '../../../core/jobs/job-queue.js';
import { JobWorker } from '../../../core/jobs/job-worker.js';
import type { ListRunsQuery, RequestRunBody, RetentionRunView } from './retention.dto.js';
import { RETENTION_QUEUE } from './retention.job.js';
import { runView } from './retention-run-view.js';
import { RetentionRunsRepository } from './retention-runs.repository.js';

@Injectable()
export class RetentionRunsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RetentionRunsRepository) private readonly runs: RetentionRunsRepository,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobWorker) private readonly worker: JobWorker,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async request(actor: Actor, body: RequestRunBody): Promise<RetentionRunView> {
    // A caller without a tenant has no run to ask for: no rule matches a null tenant (403).
    const tenantId = actor.principal.tenantId as string;
    actor.assert('run', 'RetentionSchedule', { tenantId });
    const run = await this.db.transaction(async (tx) => {
      const created = await this.runs.insertManual(
        { tenantId, dryRun: body.dryRun, requestedBy: actor.principal.userId },
        tx,
      );
      await this.queue.enqueue(
        tx,
        RETENTION_QUEUE,
        { runId: created.id },
        { dedupeKey: `retention-run:${created.id}` },
      );
      await this.audit.record(tx, actor, {
        type: 'privacy.retention_run_requested',
        resource: { type: 'RetentionRun', id: created.id, tenantId },
        payload: { runId: created.id, dryRun: body.dryRun },
      });
      return created;
    });
    this.worker.poke();
    return runView(actor, run, false);
  }

  async list(actor: Actor, query: ListRunsQuery): Promise<Page<Omit<RetentionRunView, 'report'>>> {
    const page = await this.runs.list(
      actor.condition('read', 'RetentionSchedule'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    return {
      items: page.items.map((row) => {
        const { report: _, ...view } = runView(actor, row, false);
        return view;
      }),
      nextCursor: page.nextCursor,
    };
  }

  async get(actor: Actor, id: string): Promise<RetentionRunView> {
    const row = await this.runs.findOne(id, actor.condition('read', 'RetentionSchedule'));
    if (!row) throw AppError.notFound('RetentionRun');
    return runView(actor, row, true);
  }
}
