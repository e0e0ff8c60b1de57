/**
 * Audit events of legal holds. A hold's reason, matter and release reason are free text an officer
 * wrote, which may name people: they go only into the event's sealed part, never into its payload.
 * Sealing needs a data subject's key: a hold on a subject seals under that subject (their data is
 * what is kept); any other hold seals under the officer who wrote the text.
 */
import type { AuditEventType } from '@custos/audit';
import type { EventDraft, EventSubject } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import type { LegalHold } from './legal-holds.dto.js';

const FREE_TEXT = ['reason', 'matter', 'releaseReason'] as const;

export function holdSubject(hold: LegalHold, actor: Actor): EventSubject {
  if (hold.patientId) return { kind: 'patient', tenantId: hold.tenantId, id: hold.patientId };
  if (hold.userId) return { kind: 'user', tenantId: hold.tenantId, id: hold.userId };
  return { kind: 'user', tenantId: actor.principal.tenantId, id: actor.principal.userId };
}

export function holdDraft(
  type: AuditEventType,
  actor: Actor,
  before: LegalHold | null,
  after: LegalHold,
  transition: { from?: string; to?: string } = {},
): EventDraft {
  const draft = changeDraft(type, 'LegalHold', before, after, {
    ...transition,
    subject: holdSubject(after, actor),
  });
  const payload = draft.payload as { after?: Record<string, unknown> };
  const personal = { ...draft.personal };
  for (const field of FREE_TEXT) {
    if (payload.after && field in payload.after) {
      personal[field] = payload.after[field];
      delete payload.after[field];
    }
  }
  return { ...draft, personal };
}
