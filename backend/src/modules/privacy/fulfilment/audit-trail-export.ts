/**
 * The subject's part of the audit trail for an access request (GDPR art. 15(1)(c): who received their
 * data; HIPAA §164.528 accounting of disclosures): every event about them (their pseudonym) with the
 * personal data sealed inside it decrypted, and every event they caused themselves. Other people are
 * shown only by kind (a user, a device, the platform), never by identity; events the subject caused
 * about someone else show what was done and when, nothing of that other person.
 * Legal-hold events (placed, updated, released) are left out entirely: a hold may concern a dispute
 * with the subject, and the data map already keeps legal_holds out of the copy (GDPR art. 23(1)(j)).
 */
import type { AuditEntry, SealedData } from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import { SealedDataUnreadable } from '../../../core/audit/subject-vault.js';
import type { Queryable } from '../../../core/database/database.js';

const eventRow = z.object({ seq: z.coerce.number(), entry: z.string() });

export interface TrailScope {
  pseudonyms: readonly string[];
  /** The subject's accounts: events they caused are theirs too. */
  userIds: readonly string[];
}

/** Events never in the subject's copy: legal holds, by type and by resource. */
const shownOnly = sql.fragment`e.resource_type <> 'LegalHold' AND NOT starts_with(e.type, 'privacy.legal_hold_')`;

type PersonalStatus = 'none' | 'available' | 'erased' | 'unreadable';

/** Decrypts sealed personal data: SubjectVault.open (null once the subject was erased). */
export type OpenSealed = (sealed: SealedData) => Promise<Record<string, unknown> | null>;

/** One event as the subject's copy shows it. */
export async function presentEvent(entry: AuditEntry, scope: TrailScope, open: OpenSealed): Promise<object> {
  const about = entry.subject !== null && scope.pseudonyms.includes(entry.subject);
  const byThem =
    (entry.actor.kind === 'user' || entry.actor.kind === 'service') && scope.userIds.includes(entry.actor.id);
  const common = {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    outcome: entry.outcome,
    actor: byThem ? { kind: entry.actor.kind, you: true } : { kind: entry.actor.kind },
    purposeOfUse: entry.purposeOfUse,
  };
  if (!about) return { ...common, resource: { type: entry.resource.type } };
  let personal: Record<string, unknown> | null = null;
  let personalStatus: PersonalStatus = 'none';
  if (entry.sealed) {
    try {
      personal = await open(entry.sealed);
      personalStatus = personal ? 'available' : 'erased';
    } catch (error) {
      if (!(error instanceof SealedDataUnreadable)) throw error;
      personalStatus = 'unreadable';
    }
  }
  return {
    ...common,
    resource: { type: entry.resource.type, id: entry.resource.id },
    payload: entry.payload,
    personal,
    personalStatus,
  };
}

/** Batches of the subject's events, oldest first, each as JSON objects joined by `separator`. */
export async function* trailBatches(
  db: Queryable,
  open: OpenSealed,
  scope: TrailScope,
  separator: string,
  size: number,
): AsyncGenerator<{ rows: number; text: string }> {
  let after = -1;
  for (;;) {
    const rows = await db.any(sql.type(eventRow)`
      SELECT e.seq, e.entry FROM audit_events e
      WHERE (e.subject = ANY(${sql.array([...scope.pseudonyms], 'text')})
             OR e.actor_id = ANY(${sql.array([...scope.userIds], 'text')}))
        AND ${shownOnly}
        AND e.seq > ${after}
      ORDER BY e.seq LIMIT ${size}`);
    if (rows.length === 0) return;
    const shown: string[] = [];
    for (const row of rows)
      shown.push(JSON.stringify(await presentEvent(JSON.parse(row.entry), scope, open)));
    yield { rows: rows.length, text: shown.join(separator) };
    if (rows.length < size) return;
    after = (rows[rows.length - 1] as { seq: number }).seq;
  }
}

/** How many events the subject's copy holds. */
export async function countEvents(db: Queryable, scope: TrailScope): Promise<number> {
  return db.oneFirst(sql.type(z.object({ count: z.number().int() }))`
    SELECT count(*)::int AS count FROM audit_events e
    WHERE (e.subject = ANY(${sql.array([...scope.pseudonyms], 'text')})
           OR e.actor_id = ANY(${sql.array([...scope.userIds], 'text')}))
      AND ${shownOnly}`);
}
