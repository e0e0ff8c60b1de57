/**
 * `npm run audit:verify` (the built command): exit 0 with a verdict on an intact trail, exit 1
 * naming the first divergent sequence number once a superuser has altered an event.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

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
