/**
 * Legal holds: placing, changing and releasing them. A hold keeps data from retention and erasure
 * while a matter is open; what it covers (scope, target, categories) is fixed once placed (the
 * database refuses changes), and a release is final.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { updateVersioned } from '../../../core/http/etag.js';
import { decodeCursor, type Page } from '../../../core/http/pagination.js';
import { presentPage } from '../../../core/http/present.js';
import { lockHoldsForPlacement } from './hold-lock.js';
import { holdDraft } from './legal-holds.audit.js';
import type {
  CreateLegalHoldBody,
  LegalHold,
  ListLegalHoldsQuery,
  ReleaseLegalHoldBody,
  UpdateLegalHoldBody,
} from './legal-holds.dto.js';
import { type HoldReference, LegalHoldsRepository, type NewLegalHold } from './legal-holds.repository.js';

@Injectable()
export class LegalHoldsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(LegalHoldsRepository) private readonly holds: LegalHoldsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListLegalHoldsQuery): Promise<Page<Partial<LegalHold>>> {
    const cursor = decodeCursor(query.cursor, query.sort);
    const page = await this.holds.list(actor.condition('read', 'LegalHold'), query, cursor);
    return presentPage(actor, 'LegalHold', page);
  }

  get(actor: Actor, id: string): Promise<LegalHold> {
    return actor.load('read', 'LegalHold', (access) => this.holds.findOne(id, access));
  }

  create(actor: Actor, body: CreateLegalHoldBody): Promise<LegalHold> {
    const hold: NewLegalHold = {
      // A caller without a tenant gets a null tenant, which no rule matches: 403 below.
      tenantId: actor.principal.tenantId as string,
      scope: body.scope,
      siteId: body.siteId ?? null,
      deviceId: body.deviceId ?? null,
      patientId: body.patientId ?? null,
      userId: body.userId ?? null,
      categories: body.categories,
      reason: body.reason,
      matter: body.matter ?? null,
      ownerId: body.ownerId,
      createdBy: actor.principal.userId,
    };
    actor.assert('create', 'LegalHold', hold);
    return this.db.transaction(async (tx) => {
      await this.checkReferences(hold, tx);
      // Retention transactions in flight finish first; later ones see this hold.
      await lockHoldsForPlacement(tx);
      const created = await this.holds.insert(hold, tx);
      await this.audit.record(tx, actor, holdDraft('privacy.legal_hold_placed', actor, null, created));
      return created;
    });
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateLegalHoldBody): Promise<LegalHold> {
    return this.db.transaction(async (tx) => {
      const hold = await actor.load('update', 'LegalHold', (access) => this.holds.findOne(id, access, tx));
      assertActive(hold);
      if (change.ownerId) await this.checkReference('user', 'ownerId', hold.tenantId, change.ownerId, tx);
      const updated = await updateVersioned('LegalHold', hold, expectedVersion, () =>
        this.holds.update(id, expectedVersion, change, tx),
      );
      await this.audit.record(tx, actor, holdDraft('privacy.legal_hold_updated', actor, hold, updated));
      return updated;
    });
  }

  release(actor: Actor, id: string, expectedVersion: number, body: ReleaseLegalHoldBody): Promise<LegalHold> {
    return this.db.transaction(async (tx) => {
      const hold = await actor.load('update', 'LegalHold', (access) => this.holds.findOne(id, access, tx));
      assertActive(hold);
      const released = await updateVersioned('LegalHold', hold, expectedVersion, () =>
        this.holds.release(id, expectedVersion, { by: actor.principal.userId, reason: body.reason }, tx),
      );
      await this.audit.record(
        tx,
        actor,
        holdDraft('privacy.legal_hold_released', actor, hold, released, { from: 'active', to: 'released' }),
      );
      return released;
    });
  }

  /** 422 naming the field when a target or the owner is not in the hold's tenant. */
  private async checkReferences(hold: NewLegalHold, tx: Queryable): Promise<void> {
    const targets: Array<[HoldReference, string, string | null]> = [
      ['site', 'siteId', hold.siteId],
      ['device', 'deviceId', hold.deviceId],
      ['patient', 'patientId', hold.patientId],
      ['user', 'userId', hold.userId],
      ['user', 'ownerId', hold.ownerId],
    ];
    for (const [kind, field, id] of targets) {
      if (id) await this.checkReference(kind, field, hold.tenantId, id, tx);
    }
  }

  private async checkReference(
    kind: HoldReference,
    field: string,
    tenantId: string,
    id: string,
    tx: Queryable,
  ): Promise<void> {
    if (await this.holds.referenceExists(kind, tenantId, id, tx)) return;
    throw new AppError('invalid_reference', {
      detail: `No such ${kind} in your organisation.`,
      errors: [{ location: 'body', path: field, message: `Unknown ${kind}`, code: 'invalid_reference' }],
    });
  }
}

/** A released hold is final (the database refuses the change too; this answers it plainly). */
function assertActive(hold: LegalHold): void {
  if (hold.releasedAt !== null) {
    throw new AppError('invalid_state_transition', {
      detail: 'The legal hold is released; place a new one to keep the data again.',
      extensions: { state: 'released' },
    });
  }
}
