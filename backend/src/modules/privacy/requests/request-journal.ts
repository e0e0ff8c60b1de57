/**
 * Every step of a request leaves two traces in its transaction: a history row (what the requester
 * sees: a status and an event code) and an audit event. The event names the data subject the
 * request is about once one is linked; free text (details, reasons, notes) goes only into the
 * event's sealed part, under that subject's key. Before a subject is linked there is no key to
 * seal under, and the text stays in the request row alone (which the data map covers).
 */
import type { AuditEventType, AuditOutcome, AuditPayload } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventAuthor, type EventSubject } from '../../../core/audit/audit-recorder.js';
import type { Queryable } from '../../../core/database/database.js';
import { type HistoryEvent, RequestHistoryRepository } from './request-history.repository.js';
import type { PrivacyRequestRecord } from './requests.repository.js';

type Linked = Pick<PrivacyRequestRecord, 'tenantId' | 'subjectPatientId' | 'subjectUserId'>;

/** The data subject a request is about: the patient when linked, else the account. */
export function subjectOf(request: Linked): EventSubject | null {
  if (request.subjectPatientId)
    return { kind: 'patient', tenantId: request.tenantId, id: request.subjectPatientId };
  if (request.subjectUserId) return { kind: 'user', tenantId: request.tenantId, id: request.subjectUserId };
  return null;
}

export function requestResource(request: { id: string | null; tenantId: string | null }) {
  return { type: 'PrivacyRequest', id: request.id, tenantId: request.tenantId };
}

export interface JournalEntry<T extends AuditEventType> {
  type: T;
  payload: AuditPayload<T>;
  outcome?: AuditOutcome;
  /** Free text and contact details: sealed under the subject's key, or left out without a subject. */
  personal?: Record<string, unknown>;
  /** The history event; none for steps the requester does not see (a failed code). */
  event?: HistoryEvent;
}

@Injectable()
export class RequestJournal {
  constructor(
    @Inject(RequestHistoryRepository) private readonly history: RequestHistoryRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async record<T extends AuditEventType>(
    tx: Queryable,
    author: EventAuthor,
    request: PrivacyRequestRecord,
    entry: JournalEntry<T>,
  ): Promise<void> {
    if (entry.event) await this.history.add(request.id, request.status, entry.event, tx);
    const personal = Object.fromEntries(
      Object.entries(entry.personal ?? {}).filter(([, value]) => value !== null && value !== undefined),
    );
    await this.audit.record(tx, author, {
      type: entry.type,
      ...(entry.outcome ? { outcome: entry.outcome } : {}),
      resource: requestResource(request),
      payload: entry.payload,
      subject: subjectOf(request),
      personal,
    });
  }
}

/** The payload of a workflow step: the fields it changed, the new values that are not free text. */
export function stepPayload(
  before: PrivacyRequestRecord,
  after: PrivacyRequestRecord,
  plain: Array<keyof PrivacyRequestRecord>,
  sealed: Array<keyof PrivacyRequestRecord> = [],
) {
  const changed = [...plain, ...sealed].filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
  const values = Object.fromEntries(
    plain.filter((f) => changed.includes(f)).map((f) => [f, after[f] as string | null]),
  );
  return {
    changed: changed.map(String),
    after: values,
    ...(before.status !== after.status ? { from: before.status, to: after.status } : {}),
  };
}
