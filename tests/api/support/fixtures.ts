/** Shared by the API tests: callers, problem+json checks, and row fixtures written straight to the test database. */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { expect, onTestFinished } from 'vitest';
import { demoUsers } from '../../../backend/src/launcher/demo-data.js';
import type { TestApp, TestResponse } from '../../support/test-app.js';

/** Every demo account, plus a caller without any token. */
export const callers = [
  'admin',
  'tenant-admin',
  'operator',
  'operator-globex',
  'clinician',
  'compliance',
  'privacy',
  'auditor',
  'subject',
  'anonymous',
] as const;
export type Caller = (typeof callers)[number];

export const as = (caller: Caller): { as?: string } => (caller === 'anonymous' ? {} : { as: caller });

export function demoUserId(username: string): string {
  const user = demoUsers.find((u) => u.username === username);
  if (!user) throw new Error(`No demo user ${username}`);
  return user.id;
}

/** `{ role: { column: status } }` → it.each rows `[role, column, status]`, in table order. */
export function cells<C extends string, S>(table: Record<Caller, Record<C, S>>): Array<[Caller, C, S]> {
  return callers.flatMap((caller) =>
    Object.entries(table[caller]).map(([column, s]): [Caller, C, S] => [caller, column as C, s as S]),
  );
}

/** RFC 9457 shape every failure must have; never a stack trace. */
export function expectProblem(res: TestResponse, status?: number): void {
  if (status !== undefined) expect(res.status, res.text).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(typeof res.body?.code, res.text).toBe('string');
  expect(res.body.status).toBe(res.status);
  expect(res.text).not.toMatch(/"stack"|\n\s+at |\.ts:\d+:\d+/);
}

export type TableName = 'tenants' | 'sites' | 'users' | 'devices';

/** One row as text, without the sign-in bookkeeping column; null when the row does not exist. */
export async function rowSnapshot(t: TestApp, table: TableName, id: string): Promise<string | null> {
  return (await t.adminPool.maybeOneFirst(sql.unsafe`
    SELECT (to_jsonb(r) - 'last_seen_at')::text FROM ${sql.identifier([table])} r WHERE r.id = ${id}`)) as
    | string
    | null;
}

export async function rowVersion(t: TestApp, table: TableName, id: string): Promise<number> {
  return (await t.adminPool.oneFirst(
    sql.unsafe`SELECT version FROM ${sql.identifier([table])} WHERE id = ${id}`,
  )) as number;
}

export async function countWhere(
  t: TestApp,
  table: TableName,
  column: string,
  value: string,
): Promise<number> {
  const query = sql.unsafe`SELECT count(*)::int FROM ${sql.identifier([table])} WHERE ${sql.identifier([column])} = ${value}`;
  return (await t.adminPool.oneFirst(query)) as number;
}

/** Deletes the row when the current test ends, so every case leaves the demo world as it found it. */
export function removeAfterTest(t: TestApp, table: TableName, id: string): void {
  onTestFinished(async () => {
    await t.adminPool.query(sql.unsafe`DELETE FROM ${sql.identifier([table])} WHERE id = ${id}`);
  });
}

export const uniqueSuffix = () => randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase();

export interface DeviceFixture {
  tenantId: string;
  siteId: string | null;
  state: 'manufactured' | 'provisioned' | 'claimed' | 'active' | 'suspended';
  patientId?: string | null;
}

/** A fresh device in any state (inserted directly: nobody may register into Globex through the API). */
export async function insertDevice(t: TestApp, d: DeviceFixture): Promise<{ id: string; serial: string }> {
  const serial = `FX-${uniqueSuffix()}`;
  const id = (await t.adminPool.oneFirst(sql.unsafe`
    INSERT INTO devices (tenant_id, site_id, serial_number, model, lifecycle_state, patient_id, data_category)
    VALUES (${d.tenantId}, ${d.siteId}, ${serial}, 'Fixture 1', ${d.state}, ${d.patientId ?? null},
            ${d.patientId ? 'health' : 'operational'})
    RETURNING id`)) as string;
  removeAfterTest(t, 'devices', id);
  return { id, serial };
}

/** A fresh user account of a tenant, as the identity provider sync would have created it. */
export async function insertUser(
  t: TestApp,
  tenantId: string,
  role = 'operator',
): Promise<{ id: string; username: string }> {
  const username = `fixture-${uniqueSuffix().toLowerCase()}`;
  const id = (await t.adminPool.oneFirst(sql.unsafe`
    INSERT INTO users (external_id, issuer, tenant_id, username, display_name, roles)
    VALUES (${randomUUID()}, 'urn:custos:test-fixture', ${tenantId}, ${username}, 'Fixture', ${sql.array([role], 'text')})
    RETURNING id`)) as string;
  removeAfterTest(t, 'users', id);
  return { id, username };
}
