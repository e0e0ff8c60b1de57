/**
 * The privacy officer's steps on a request: assign, verify the requester's identity (linking the
 * data subject), extend once (art. 12(3), with the reason mailed to the requester), reject (art.
 * 12(4), with the reason and the right to complain), process (a `privacy.fulfil` job). Each step
 * checks If-Match and the state machine (request-states.ts), and writes its change, history row,
 * audit event and any mail or job in one transaction.
 */
import type { AuditEventType } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../../core/authz/actor.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { updateVersioned } from '../../../core/http/etag.js';
import { JobQueue } from '../../../core/jobs/job-queue.js';
import { JobWorker } from '../../../core/jobs/job-worker.js';
import { PrivacyStaff } from './privacy-staff.js';
import type { HistoryEvent } from './request-history.repository.js';
import { RequestJournal, stepPayload } from './request-journal.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { RequestMails } from './request-mails.js';
import { transition, type WorkflowStep } from './request-states.js';
import type { VerifyIdentityBody } from './requests.dto.js';
import { type PrivacyRequestRecord, type RequestChange, RequestsRepository } from './requests.repository.js';

export const FULFIL_QUEUE = 'privacy.fulfil';

interface Step {
  step: WorkflowStep;
  type: AuditEventType;
  event: HistoryEvent;
  /** The change, given the request as it is now (throws to refuse). */
  change: (request: PrivacyRequestRecord, tx: Queryable) => Promise<RequestChange> | RequestChange;
  /** Fields whose new values go into the event's payload; the others it changes are sealed. */
  plain: Array<keyof PrivacyRequestRecord>;
  sealed?: Array<keyof PrivacyRequestRecord>;
  after?: (tx: Queryable, request: PrivacyRequestRecord) => Promise<void>;
}

@Injectable()
export class RequestWorkflowService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestJournal) private readonly journal: RequestJournal,
    @Inject(RequestJurisdictions) private readonly jurisdictions: RequestJurisdictions,
    @Inject(RequestMails) private readonly mails: RequestMails,
    @Inject(PrivacyStaff) private readonly staff: PrivacyStaff,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobWorker) private readonly worker: JobWorker,
  ) {}

  assign(actor: Actor, id: string, version: number, assigneeId: string) {
    return this.run(actor, id, version, {
      step: 'assign',
      type: 'privacy.request_assigned',
      event: 'assigned',
      plain: ['assigneeId'],
      change: async (request, tx) => {
        if (!(await this.staff.mayWork(assigneeId, request, tx))) {
          throw new AppError('invalid_reference', {
            detail:
              'The assignee must be someone who may work this request (a privacy officer of its tenant).',
            errors: [
              {
                location: 'body',
                path: 'assigneeId',
                message: 'Cannot work this request',
                code: 'invalid_reference',
              },
            ],
          });
        }
        return { assigneeId };
      },
    });
  }

  verifyIdentity(actor: Actor, id: string, version: number, body: VerifyIdentityBody) {
    return this.run(actor, id, version, {
      step: 'verify-identity',
      type: 'privacy.identity_verified',
      event: 'identity-verified',
      plain: ['status', 'identityMethod', 'identityVerifiedAt', 'subjectUserId'],
      sealed: ['subjectPatientId', 'identityNote'],
      change: (request) => {
        const method = body.method ?? (request.contactVerifiedAt ? 'email-code' : null);
        if (!method || (method === 'email-code' && !request.contactVerifiedAt)) {
          throw new AppError('invalid_state_transition', {
            detail:
              'The requester has not confirmed their address with a code. Verify their identity yourself (say how in the note) and send method "officer".',
          });
        }
        return {
          identityMethod: method,
          identityVerifiedAt: new Date().toISOString(),
          identityNote: body.note,
          ...(body.subjectPatientId ? { subjectPatientId: body.subjectPatientId } : {}),
          ...(body.subjectUserId ? { subjectUserId: body.subjectUserId } : {}),
        };
      },
    });
  }

  extend(actor: Actor, id: string, version: number, reason: string) {
    return this.run(actor, id, version, {
      step: 'extend',
      type: 'privacy.request_extended',
      event: 'extended',
      plain: ['status', 'extendedDueAt'],
      sealed: ['extensionReason'],
      change: (request) => {
        const rule = this.jurisdictions.ruleOf(request);
        const extendedDueAt = rule ? this.jurisdictions.extendedDueAt(request, rule) : null;
        if (!extendedDueAt) {
          throw new AppError('invalid_state_transition', {
            detail: `Under ${request.jurisdiction} a ${request.type} request cannot be extended.`,
          });
        }
        return { extendedDueAt, extensionReason: reason };
      },
      after: (tx, request) => this.mails.enqueue(tx, request, 'extended'),
    });
  }

  reject(actor: Actor, id: string, version: number, reason: string) {
    return this.run(actor, id, version, {
      step: 'reject',
      type: 'privacy.request_rejected',
      event: 'rejected',
      plain: ['status'],
      sealed: ['rejectionReason'],
      change: () => ({ rejectionReason: reason }),
      after: (tx, request) => this.mails.enqueue(tx, request, 'rejected'),
    });
  }

  async process(actor: Actor, id: string, version: number) {
    const processed = await this.run(actor, id, version, {
      step: 'process',
      type: 'privacy.request_started',
      event: 'processing-started',
      plain: ['status'],
      change: () => ({}),
      // One job per request and version: a retry after a failed job gets a job of its own.
      after: async (tx, request) => {
        await this.queue.enqueue(
          tx,
          FULFIL_QUEUE,
          { requestId: request.id },
          {
            dedupeKey: `${FULFIL_QUEUE}:${request.id}:${request.version}`,
          },
        );
      },
    });
    this.worker.poke();
    return processed;
  }

  private run(actor: Actor, id: string, version: number, step: Step): Promise<PrivacyRequestRecord> {
    return this.db.transaction(async (tx) => {
      const request = await actor.load('update', 'PrivacyRequest', (access) =>
        this.requests.findOne(id, access, tx, true),
      );
      const job = await this.requests.latestJob(request.id, tx);
      const next = transition(step.step, { ...request, jobState: job?.state ?? null });
      if (!next.ok) {
        throw new AppError('invalid_state_transition', {
          detail: next.reason,
          extensions: { status: request.status },
        });
      }
      const change = await step.change(request, tx);
      const updated = await updateVersioned('PrivacyRequest', request, version, () =>
        this.requests.update(id, { ...change, status: next.status }, tx, version),
      );
      const sealed = step.sealed ?? [];
      await this.journal.record(tx, actor, updated, {
        type: step.type,
        event: step.event,
        payload: (step.type === 'privacy.identity_verified'
          ? { method: updated.identityMethod as string }
          : stepPayload(request, updated, step.plain, sealed)) as never,
        personal: Object.fromEntries(sealed.map((field) => [field, updated[field]])),
      });
      await step.after?.(tx, updated);
      return updated;
    });
  }
}
