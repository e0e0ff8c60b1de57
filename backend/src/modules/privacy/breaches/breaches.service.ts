/** The breach register's rules: who records and updates entries, the notification clocks, the audit. */
import type { AuditEventType } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventDraft } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { updateVersioned } from '../../../core/http/etag.js';
import { decodeCursor, type Page } from '../../../core/http/pagination.js';
import { checkBreach, clocksOf, notificationDueAt } from './breach-rules.js';
import type { Breach, CreateBreachBody, ListBreachesQuery, UpdateBreachBody } from './breaches.dto.js';
import { BreachesRepository, newReference } from './breaches.repository.js';

/**
 * Text people typed: the register holds it, the audit trail only says it changed. It should name no
 * one, but a trail that cannot be erased is the wrong place to find out that it did.
 */
const FREE_TEXT = ['title', 'description', 'likelyConsequences', 'measures', 'lateNotificationReason'];

export type BreachView = Partial<Breach> & Partial<ReturnType<typeof clocksOf>>;

/** The derived clocks, for a caller who sees what they are derived from. */
export function withClocks(visible: Partial<Breach>, breach: Breach): BreachView {
  const sees = ['detectedAt', 'risk', 'authorityNotifiedAt', 'subjectsNotifiedAt'].every((f) => f in visible);
  return sees ? { ...visible, ...clocksOf(breach) } : visible;
}

function breachDraft(type: AuditEventType, before: Breach | null, after: Breach): EventDraft {
  const draft = changeDraft(type, 'Breach', before, after);
  const payload = draft.payload as { after?: Record<string, unknown> };
  for (const field of FREE_TEXT) delete payload.after?.[field];
  return draft;
}

@Injectable()
export class BreachesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(BreachesRepository) private readonly breaches: BreachesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListBreachesQuery): Promise<Page<BreachView>> {
    const page = await this.breaches.list(
      actor.condition('read', 'Breach'),
      query,
      decodeCursor(query.cursor, 'detectedAt'),
    );
    return {
      items: page.items.map((breach) => withClocks(actor.visible('Breach', breach), breach)),
      nextCursor: page.nextCursor,
    };
  }

  get(actor: Actor, id: string): Promise<Breach> {
    return actor.load('read', 'Breach', (access) => this.breaches.findOne(id, access));
  }

  create(actor: Actor, body: CreateBreachBody): Promise<Breach> {
    const candidate = {
      ...body,
      tenantId: actor.principal.tenantId as string,
      detectedAt: body.detectedAt ?? new Date().toISOString(),
      createdBy: actor.principal.userId,
    };
    // No tenant, no rule that matches: 403.
    actor.assert('create', 'Breach', candidate);
    return this.db.transaction(async (tx) => {
      let created: Breach | null = null;
      // 32^8 references: a collision is rare, five in a row means something else is wrong.
      for (let attempt = 0; attempt < 5 && !created; attempt++) {
        created = await this.breaches.insert(candidate, newReference(), tx);
      }
      if (!created) throw new AppError('conflict', { detail: 'No free breach reference; retry.' });
      await this.audit.record(tx, actor, breachDraft('privacy.breach_recorded', null, created));
      return created;
    });
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateBreachBody): Promise<Breach> {
    return this.db.transaction(async (tx) => {
      const breach = await actor.load('update', 'Breach', (access) => this.breaches.findOne(id, access, tx));
      const updated = await updateVersioned('Breach', breach, expectedVersion, () => {
        const next = { ...breach } as Record<string, unknown>;
        for (const [field, value] of Object.entries(change)) if (value !== undefined) next[field] = value;
        const merged = next as Breach;
        checkBreach({ ...merged, notificationDueAt: notificationDueAt(merged.detectedAt) });
        return this.breaches.update(id, expectedVersion, change, tx);
      });
      await this.audit.record(tx, actor, breachDraft('privacy.breach_updated', breach, updated));
      return updated;
    });
  }
}
