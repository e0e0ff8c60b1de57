/**
 * The `privacy.fulfil` job: runs what the request asks for (FulfilmentService, which gathers,
 * corrects, flags or erases through the data map), then completes the request in one transaction:
 * status, outcome, history, audit event, the requester's mail and the job itself. If fulfilment
 * throws, the job is retried with backoff and the request stays in progress; fulfilment is
 * idempotent, so running it again after a crash is safe.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Database } from '../../../core/database/database.js';
import { type JobContext, JobWorker } from '../../../core/jobs/job-worker.js';
import { type FulfilmentOutcome, FulfilmentService } from '../fulfilment/fulfilment.service.js';
import { RequestJournal } from './request-journal.js';
import { RequestMails } from './request-mails.js';
import { FULFIL_QUEUE } from './request-workflow.service.js';
import { RequestsRepository } from './requests.repository.js';

/** The catalog's `kept` items: reasons cut to its limit, hold ids only when they are uuids. */
function keptForAudit(kept: FulfilmentOutcome['kept']) {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  return kept.map((k) => ({
    table: k.table,
    reason: k.reason.slice(0, 200),
    ...(k.holdId && uuid.test(k.holdId) ? { holdId: k.holdId } : {}),
  }));
}

function countsForAudit(counts: FulfilmentOutcome['counts']) {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => Number.isInteger(n) && n >= 0));
}

@Injectable()
export class FulfilJob implements OnModuleInit {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobWorker) private readonly worker: JobWorker,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(FulfilmentService) private readonly fulfilment: FulfilmentService,
    @Inject(RequestJournal) private readonly journal: RequestJournal,
    @Inject(RequestMails) private readonly mails: RequestMails,
  ) {}

  onModuleInit(): void {
    this.worker.register(FULFIL_QUEUE, (context) => this.run(context));
  }

  async run(context: JobContext): Promise<void> {
    const requestId = String(context.job.payload.requestId);
    const request = await this.requests.findById(requestId);
    // Rejected meanwhile, already completed by an earlier run, or gone: nothing to do.
    if (request?.status !== 'in-progress') return;
    const outcome = await this.fulfilment.fulfil(
      {
        id: request.id,
        tenantId: request.tenantId,
        type: request.type,
        subjectPatientId: request.subjectPatientId,
        subjectUserId: request.subjectUserId,
        rectification: request.rectification,
        objectionPurposes: request.objectionPurposes,
      },
      // Progress goes through the pool; bound to this context, fulfilment may report it from inside
      // its own transactions (slonik refuses a pool query in a transaction's async scope).
      { progress: AsyncLocalStorage.bind(context.progress), signal: context.signal },
    );
    await this.db.transaction(async (tx) => {
      const current = await this.requests.findById(requestId, tx, true);
      if (current?.status === 'in-progress') {
        const completed = await this.requests.update(
          requestId,
          { status: 'completed', outcome: { ...outcome }, completedAt: new Date().toISOString() },
          tx,
        );
        if (completed) {
          await this.journal.record(tx, 'system', completed, {
            type: 'privacy.request_completed',
            event: 'completed',
            payload: {
              requestType: completed.type,
              counts: countsForAudit(outcome.counts),
              kept: keptForAudit(outcome.kept),
            },
          });
          await this.mails.enqueue(tx, completed, 'completed');
        }
      }
      await context.completeIn(tx);
    });
    this.worker.poke();
  }
}
