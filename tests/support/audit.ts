/** Helpers for tests of the audit trail: seal and sign now, then read entries back. */
import type { AuditEntry } from '@custos/audit';
import { sql } from 'slonik';
import { z } from 'zod';
import { AuditTrail } from '../../backend/src/core/audit/audit-trail.js';
import { demoUserByName } from '../../backend/src/launcher/demo-data.js';
import type { TestApp } from './test-app.js';

export function trailOf(t: TestApp): AuditTrail {
  return t.app.get(AuditTrail);
}

/** Seals everything recorded and signs a head over it. */
export async function flush(t: TestApp) {
  return trailOf(t).flush();
}

/** Sealed entries whose request id is `requestId`, in order (flushes first). */
export async function entriesOf(t: TestApp, requestId: string): Promise<AuditEntry[]> {
  await flush(t);
  const rows = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE entry::jsonb ->> 'requestId' = ${requestId} ORDER BY seq`);
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

/** Every sealed entry after `afterSeq` (flushes first). */
export async function entriesAfter(t: TestApp, afterSeq = -1): Promise<AuditEntry[]> {
  await flush(t);
  const rows = await t.adminPool.any(sql.type(z.object({ entry: z.string() }))`
    SELECT entry FROM audit_events WHERE seq > ${afterSeq} ORDER BY seq`);
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

export async function lastSeq(t: TestApp): Promise<number> {
  await flush(t);
  return t.adminPool.oneFirst(
    sql.type(z.object({ seq: z.coerce.number() }))`SELECT coalesce(max(seq), -1) AS seq FROM audit_events`,
  );
}

export async function deviceIdBySerial(t: TestApp, serial: string): Promise<string> {
  return t.adminPool.oneFirst(
    sql.type(z.object({ id: z.string() }))`SELECT id FROM devices WHERE serial_number = ${serial}`,
  );
}

/** The tenant admin renames a demo user: a `user.updated` event whose personal data is sealed. */
export async function renameDemoUser(t: TestApp, username: string, displayName: string) {
  const id = demoUserByName(username)?.id as string;
  const read = await t.request('GET', `/api/v1/users/${id}`, { as: 'tenant-admin' });
  const res = await t.request('PATCH', `/api/v1/users/${id}`, {
    as: 'tenant-admin',
    body: { displayName },
    headers: { 'if-match': String(read.headers.etag) },
  });
  if (res.status !== 200) throw new Error(`renaming ${username} failed: ${res.status} ${res.text}`);
  return res;
}
