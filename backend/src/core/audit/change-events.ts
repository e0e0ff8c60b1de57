/**
 * Turns a change to a resource into an audit event draft: which fields changed, their new values
 * when they are not personal data, and the personal ones set aside to be encrypted under the data
 * subject's key. Reads of personal data become drafts here too.
 */
import type { AuditEventType } from '@custos/audit';
import { personalFields, type ResourceType } from '@custos/policies';
import type { EventDraft, EventSubject } from './audit-recorder.js';

type Plain = string | number | boolean | null | string[];

/** Bookkeeping fields that change with every write and say nothing about the change. */
const BOOKKEEPING = new Set(['version', 'updatedAt', 'createdAt', 'lastSeenAt']);

interface Resource {
  id: string;
  tenantId?: string | null;
}

export function changeDraft<T extends Resource>(
  type: AuditEventType,
  resourceType: ResourceType,
  before: T | null,
  after: T,
  extra: { from?: string; to?: string; subject?: EventSubject | null } = {},
): EventDraft {
  const personal = new Set(personalFields[resourceType]);
  const changed: string[] = [];
  const plainAfter: Record<string, Plain> = {};
  const sealed: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    if (BOOKKEEPING.has(field)) continue;
    const old = before ? (before as Record<string, unknown>)[field] : undefined;
    if (before && JSON.stringify(old) === JSON.stringify(value)) continue;
    changed.push(field);
    if (personal.has(field)) sealed[field] = value;
    else plainAfter[field] = toPlain(value);
  }
  const transition = extra.from !== undefined ? { from: extra.from, to: extra.to } : {};
  return {
    type,
    resource: { type: resourceType, id: after.id, tenantId: tenantOf(resourceType, after) },
    payload: { changed, after: plainAfter, ...transition } as EventDraft['payload'],
    subject: extra.subject ?? null,
    personal: sealed,
  };
}

/** A read that returned personal data. */
export function readDraft(
  type: AuditEventType,
  resourceType: ResourceType,
  ids: string[],
  tenantId: string | null,
  subject: EventSubject | null,
  personal?: Record<string, unknown>,
): EventDraft {
  return {
    type,
    resource: { type: resourceType, id: ids.length === 1 ? (ids[0] as string) : null, tenantId },
    payload: { ids: ids.slice(0, 1000), count: ids.length } as EventDraft['payload'],
    subject,
    ...(personal ? { personal } : {}),
  };
}

function tenantOf(resourceType: ResourceType, resource: Resource): string | null {
  if (resourceType === 'Tenant') return resource.id;
  return resource.tenantId ?? null;
}

function toPlain(value: unknown): Plain {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  // Objects (device labels): their JSON, so the payload stays flat and the canonical form simple.
  return JSON.stringify(value);
}
