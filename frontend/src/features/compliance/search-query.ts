/** The audit search's URL query, mapped to the API's filter (see docs/api.md, "The filter"). */

import { firstValue } from '@/features/shell/query-string';

export const outcomes = ['allowed', 'denied', 'failed'] as const;
export const resourceTypes = ['Tenant', 'Site', 'User', 'Device', 'AuditEvent'] as const;
export const subjectKinds = ['patient', 'user'] as const;

export interface AuditSearch {
  from: string;
  to: string;
  actorId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  tenantId: string;
  subject: string;
  /** With subjectId: a person by kind and id; the API turns them into the pseudonym. */
  subjectKind: string;
  subjectId: string;
  outcome: string;
  cursor: string;
}

const fields = [
  'from',
  'to',
  'actorId',
  'action',
  'resourceType',
  'resourceId',
  'tenantId',
  'subject',
  'subjectKind',
  'subjectId',
  'outcome',
  'cursor',
] as const;

export function parseAuditSearch(raw: Record<string, string | string[] | undefined>): AuditSearch {
  return Object.fromEntries(
    fields.map((field) => [
      field,
      firstValue(raw[field])
        .replace(/\p{Cc}/gu, '')
        .trim()
        .slice(0, 512),
    ]),
  ) as unknown as AuditSearch;
}

/** `<input type="datetime-local">` gives local wall time without a zone; the console works in UTC. */
export function localToIso(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const full = value.length === 16 ? `${value}:00` : value;
  const date = new Date(`${full}Z`);
  // Date rolls impossible values over (30 February → 2 March, 24:00 → the next day): refuse them.
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== full) return undefined;
  return date.toISOString();
}

/** The API filter: only fields with a value, times in ISO-8601 UTC. */
export function apiFilter(search: AuditSearch): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const field of fields) {
    if (field === 'cursor' || !search[field]) continue;
    if (field === 'from' || field === 'to') {
      const iso = localToIso(search[field]);
      if (iso) filter[field] = iso;
    } else {
      filter[field] = search[field];
    }
  }
  return filter;
}

/** Times given but unreadable: the search must say so, not quietly run without them. */
export function unreadableTimes(search: AuditSearch): Array<'from' | 'to'> {
  return (['from', 'to'] as const).filter((field) => search[field] !== '' && !localToIso(search[field]));
}
