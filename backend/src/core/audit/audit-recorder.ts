/**
 * The one way to record an audit event. `record` writes it inside the caller's transaction (so a
 * change and its event commit or roll back together); `recordDurably` is for events without a
 * business transaction (reads of personal data, denials, sign-ins) and resolves once committed.
 * Either way the event lands in the intake, from which the sealer chains it (sealer.ts).
 */
import {
  type AuditActor,
  type AuditEvent,
  type AuditEventType,
  type AuditOutcome,
  type AuditPayload,
  type AuditResource,
  auditEventSchema,
  CATALOG_VERSION,
  canonicalJson,
} from '@custos/audit';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Actor } from '../authz/actor.js';
import { Database, type Queryable } from '../database/database.js';
import { GroupCommit, insertIntake } from './group-commit.js';
import { type SubjectKind, SubjectVault } from './subject-vault.js';

export interface EventSubject {
  kind: SubjectKind;
  tenantId: string | null;
  id: string;
}

export interface EventDraft<T extends AuditEventType = AuditEventType> {
  type: T;
  outcome?: AuditOutcome;
  resource: AuditResource;
  payload: AuditPayload<T>;
  /** The data subject the event concerns. */
  subject?: EventSubject | null;
  /** Personal data of that subject: stored only encrypted under their key. */
  personal?: Record<string, unknown>;
}

/** A device acting on its own, known by its certificate (telemetry it sent, a session it opened). */
export interface DeviceAuthor {
  device: { id: string; tenantId: string };
}

/** Who acted: a request's actor, a device, or the platform itself. */
export type EventAuthor = Actor | DeviceAuthor | 'system';

export const SYSTEM_ACTOR: AuditActor = {
  kind: 'system',
  id: 'custos',
  roles: [],
  tenantId: null,
  onBehalfOf: null,
};

@Injectable()
export class AuditRecorder implements OnModuleDestroy {
  private readonly group: GroupCommit;

  constructor(
    @Inject(Database) db: Database,
    @Inject(SubjectVault) private readonly vault: SubjectVault,
  ) {
    this.group = new GroupCommit((events) => insertIntake(db.pool, events));
  }

  async record(tx: Queryable, author: EventAuthor, ...drafts: EventDraft[]): Promise<void> {
    const events: string[] = [];
    // One at a time: they share the transaction's connection.
    for (const draft of drafts) events.push(await this.build(author, draft, tx));
    await insertIntake(tx, events);
  }

  async recordDurably(author: EventAuthor, ...drafts: EventDraft[]): Promise<void> {
    const events = await Promise.all(drafts.map((draft) => this.build(author, draft)));
    await Promise.all(events.map((event) => this.group.add(event)));
  }

  /** The event as canonical JSON, validated against the catalog: a malformed event is a bug, refused here. */
  async build(author: EventAuthor, draft: EventDraft, db?: Queryable): Promise<string> {
    const pseudonym = draft.subject
      ? await this.vault.pseudonym(draft.subject.kind, draft.subject.tenantId, draft.subject.id)
      : null;
    const personal = draft.personal && Object.keys(draft.personal).length > 0 ? draft.personal : undefined;
    const person = author === 'system' || 'device' in author ? undefined : author;
    const origin = person?.origin;
    const event = {
      v: CATALOG_VERSION,
      type: draft.type,
      time: new Date().toISOString(),
      outcome: draft.outcome ?? 'allowed',
      actor: author === 'system' ? SYSTEM_ACTOR : 'device' in author ? deviceActor(author) : actorOf(author),
      resource: draft.resource,
      subject: pseudonym,
      purposeOfUse: person?.context.purpose ?? null,
      requestId: origin?.requestId ?? null,
      source: { ip: origin?.ip ?? null, userAgent: origin?.userAgent?.slice(0, 512) ?? null },
      payload: draft.payload,
      sealed: pseudonym && personal ? await this.vault.seal(pseudonym, personal, db) : null,
    } as AuditEvent;
    auditEventSchema.parse(event);
    return canonicalJson(event);
  }

  async onModuleDestroy(): Promise<void> {
    // Let events already accepted reach the database before the pool closes.
    for (let i = 0; i < 100 && this.group.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
  }
}

function deviceActor({ device }: DeviceAuthor): AuditActor {
  return { kind: 'device', id: device.id, roles: [], tenantId: device.tenantId, onBehalfOf: null };
}

export function actorOf(actor: Actor): AuditActor {
  const { principal } = actor;
  return {
    kind: principal.roles.includes('service') ? 'service' : 'user',
    id: principal.userId,
    roles: [...principal.roles],
    tenantId: principal.tenantId,
    onBehalfOf: null,
  };
}
