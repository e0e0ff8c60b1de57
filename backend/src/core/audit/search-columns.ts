/**
 * The search columns of `audit_events`: copies of entry fields, written by the sealer. Verification
 * checks them against the hashed entry field by field (`disagreeingColumn` in trail-verifier.ts,
 * kept allocation-free for speed): a change to the mapping here must be made there too.
 */
import type { AuditEvent } from '@custos/audit';

export interface SearchColumns {
  occurredAt: string;
  type: string;
  outcome: string;
  /** The resource's tenant, else the actor's. */
  tenantId: string | null;
  actorId: string;
  resourceType: string;
  resourceId: string | null;
  subject: string | null;
}

export function searchColumnsOf(
  event: Pick<AuditEvent, 'time' | 'type' | 'outcome' | 'actor' | 'resource' | 'subject'>,
): SearchColumns {
  return {
    occurredAt: event.time,
    type: event.type,
    outcome: event.outcome,
    tenantId: event.resource.tenantId ?? event.actor.tenantId ?? null,
    actorId: event.actor.id,
    resourceType: event.resource.type,
    resourceId: event.resource.id,
    subject: event.subject,
  };
}

/** Column arrays for one multi-row insert (unnest). */
export class SealedColumns {
  readonly seq: number[] = [];
  readonly entry: string[] = [];
  readonly leafHash: Buffer[] = [];
  readonly occurredAt: string[] = [];
  readonly type: string[] = [];
  readonly outcome: string[] = [];
  readonly tenantId: (string | null)[] = [];
  readonly actorId: string[] = [];
  readonly resourceType: string[] = [];
  readonly resourceId: (string | null)[] = [];
  readonly subject: (string | null)[] = [];

  push(seq: number, entry: string, leafHash: Buffer, event: AuditEvent): void {
    const columns = searchColumnsOf(event);
    this.seq.push(seq);
    this.entry.push(entry);
    this.leafHash.push(leafHash);
    this.occurredAt.push(columns.occurredAt);
    this.type.push(columns.type);
    this.outcome.push(columns.outcome);
    this.tenantId.push(columns.tenantId);
    this.actorId.push(columns.actorId);
    this.resourceType.push(columns.resourceType);
    this.resourceId.push(columns.resourceId);
    this.subject.push(columns.subject);
  }
}
