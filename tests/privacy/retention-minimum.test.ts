/**
 * The database keeps records of accountability for their legal minimum whatever the application
 * does: the API's role may delete a device command or a claim code only once it is past the floor
 * the migration sets (2190 days after the command, 365 days after the code expired).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlStateOf } from '../../backend/src/core/errors/to-app-error.js';
import { demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let deviceId: string;
beforeAll(async () => {
  t = await createTestApp();
  deviceId = randomUUID();
  await t.adminPool.query(sql.unsafe`
    INSERT INTO devices (id, tenant_id, serial_number, model)
    VALUES (${deviceId}, ${demoTenants.acme.id}, ${`MIN-${deviceId.slice(0, 8)}`}, 'vital-sign-monitor')`);
});
afterAll(() => t?.close());

const deleting = (query: ReturnType<typeof sql.unsafe>) =>
  t.pool.query(query).then(() => 'deleted', sqlStateOf);

describe('retention minimum in the database', () => {
  it('refuses to delete a device command younger than 2190 days, and allows it after', async () => {
    const command = async (ageDays: number): Promise<string> =>
      String(
        await t.adminPool.oneFirst(sql.unsafe`
        INSERT INTO device_commands (device_id, tenant_id, name, requested_by, created_at, expires_at)
        VALUES (${deviceId}, ${demoTenants.acme.id}, 'reboot', 'someone',
                now() - ${ageDays} * interval '1 day', now() - ${ageDays} * interval '1 day' + interval '1 minute')
        RETURNING id`),
      );
    const recent = await command(2189);
    const old = await command(2191);
    expect(await deleting(sql.unsafe`DELETE FROM device_commands WHERE id = ${recent}`)).toBe('42501');
    expect(await deleting(sql.unsafe`DELETE FROM device_commands WHERE id = ${old}`)).toBe('deleted');
  });

  it('refuses to delete a claim code until 365 days after it expired', async () => {
    const operator = demoUserByName('operator')?.id;
    const code = async (expiredDaysAgo: number): Promise<string> =>
      String(
        await t.adminPool.oneFirst(sql.unsafe`
        INSERT INTO device_claim_codes
          (device_id, tenant_id, code_salt, code_hash, created_by, created_at, expires_at, revoked_at)
        VALUES (${deviceId}, ${demoTenants.acme.id}, decode(repeat('00', 16), 'hex'), repeat('ab', 32),
                ${operator ?? null}, now() - ${expiredDaysAgo + 30} * interval '1 day',
                now() - ${expiredDaysAgo} * interval '1 day', now() - ${expiredDaysAgo} * interval '1 day')
        RETURNING id`),
      );
    const recent = await code(300);
    const old = await code(400);
    expect(await deleting(sql.unsafe`DELETE FROM device_claim_codes WHERE id = ${recent}`)).toBe('42501');
    expect(await deleting(sql.unsafe`DELETE FROM device_claim_codes WHERE id = ${old}`)).toBe('deleted');
  });
});

describe('dropping a telemetry day in the database', () => {
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const drop = (d: string, before: string) =>
    t.pool
      .query(sql.unsafe`SELECT telemetry_drop_partition(${d}::date, ${before}::date)`)
      .then(() => 'dropped', sqlStateOf);

  it('refuses a day that is not over, whatever `before` the caller passes', async () => {
    await t.adminPool.query(sql.unsafe`SELECT telemetry_ensure_partition(${day(0)}::date)`);
    expect(await drop(day(0), '2999-01-01')).toBe('23514');
  });

  it('refuses a day holding rows under an active legal hold, and drops it once the hold is released', async () => {
    const d = day(200);
    await t.adminPool.query(sql.unsafe`SELECT telemetry_ensure_partition(${d}::date)`);
    await t.adminPool.query(sql.unsafe`
      INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, metrics)
      VALUES (${deviceId}, ${d}::date + interval '1 hour', 1, ${demoTenants.acme.id}, '{"t": 1}')`);
    const privacy = demoUserByName('privacy')?.id ?? null;
    const hold = await t.adminPool.oneFirst(sql.unsafe`
      INSERT INTO legal_holds (tenant_id, scope, device_id, reason, owner_id, created_by)
      VALUES (${demoTenants.acme.id}, 'device', ${deviceId}, 'Litigation', ${privacy}, ${privacy}) RETURNING id`);
    expect(await drop(d, day(90))).toBe('42501');
    await t.adminPool.query(sql.unsafe`
      UPDATE legal_holds SET released_at = now(), released_by = ${privacy}, release_reason = 'Settled'
      WHERE id = ${String(hold)}`);
    expect(await drop(d, day(90))).toBe('dropped');
  });
});
