/**
 * `npm run audit:verify` (the built command): exit 0 with a verdict on an intact trail, exit 1
 * naming the first divergent sequence number once a superuser has altered an event.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const command = new URL('../../backend/dist/launcher/audit-verify.js', import.meta.url).pathname;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const user of ['admin', 'operator', 'clinician'])
    await t.request('GET', '/api/v1/tenants', { as: user });
  await flush(t);
});
afterAll(() => t?.close());

async function verify(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [command, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: t.databaseUrl,
        AUDIT_MASTER_KEY_FILE: inject('testEnv').masterKeyFile,
        LOG_LEVEL: 'silent',
      },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('npm run audit:rotate-key', () => {
  it('rotates the signing key and records it; the trail still verifies', async () => {
    const rotate = new URL('../../backend/dist/launcher/audit-rotate-key.js', import.meta.url).pathname;
    const { stdout } = await run(process.execPath, [rotate], {
      env: {
        ...process.env,
        DATABASE_URL: t.databaseUrl,
        AUDIT_MASTER_KEY_FILE: inject('testEnv').masterKeyFile,
        LOG_LEVEL: 'silent',
      },
    });
    const [, keyId, previous] = /rotated: new key ([0-9a-f]{16}), retired ([0-9a-f]{16})/.exec(stdout) ?? [];
    expect(keyId).toBeDefined();
    await t.request('GET', '/api/v1/tenants', { as: 'auditor' });
    const head = await flush(t);
    expect(head?.keyId).toBe(keyId);
    const rotated = await t.adminPool.oneFirst(sql.unsafe`
      SELECT entry FROM audit_events WHERE type = 'audit.signing_key_rotated'`);
    expect(JSON.parse(String(rotated)).payload).toEqual({ keyId, previousKeyId: previous });
  });
});

describe('npm run audit:verify', () => {
  it('passes an intact trail, as the application role', async () => {
    const { code, stdout } = await verify();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^VERIFIED: \d+ events and \d+ signed tree heads/);
    const json = JSON.parse((await verify('--json')).stdout);
    expect(json).toMatchObject({ ok: true, firstBadSeq: null });
  });

  it('fails with exit code 1 at the altered event', async () => {
    await t.adminPool.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET LOCAL session_replication_role = replica`);
      await tx.query(
        sql.unsafe`UPDATE audit_events SET entry = replace(entry, '"allowed"', '"denied"') WHERE seq = 2`,
      );
    });
    const { code, stdout } = await verify();
    expect(code).toBe(1);
    expect(stdout).toContain('FAILED: event 2 does not match its recorded hash');
    expect(stdout).toContain('first divergent sequence number: 2');
  });
});
