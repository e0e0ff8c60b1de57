/**
 * Append-only by construction: the application's role may only insert into and read the trail,
 * and triggers refuse UPDATE, DELETE and TRUNCATE even to the owner (a superuser here).
 */
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { flush } from '../../../../tests/support/audit.js';
import { createTestApp, type TestApp } from '../../../../tests/support/test-app.js';
import { sqlStateOf } from '../errors/to-app-error.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.request('GET', '/api/v1/tenants', { as: 'admin' }); // a sign-in event
  await flush(t);
});
afterAll(() => t?.close());

const appendOnly = [
  'audit_events',
  'audit_tree_heads',
  'audit_tree_nodes',
  'audit_witness_cosignatures',
  'audit_verifications',
  'audit_exports',
] as const;

async function refusal(run: () => Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await run();
  } catch (error) {
    return { code: sqlStateOf(error), message: String((error as Error).message) };
  }
  throw new Error('the statement was not refused');
}

describe('the application role', () => {
  it('is not a superuser and does not own the trail', async () => {
    const row = await t.pool.one(sql.type(z.object({ superuser: z.boolean(), owner: z.string() }))`
      SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
             (SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events') AS owner`);
    expect(row.superuser).toBe(false);
    expect(row.owner).not.toBe('custos_api');
  });

  // A real column of each table: an unknown column would be refused before the privilege check.
  const someColumn: Record<(typeof appendOnly)[number], string> = {
    audit_events: 'sealed_at',
    audit_tree_heads: 'signature',
    audit_tree_nodes: 'hash',
    audit_witness_cosignatures: 'signature',
    audit_verifications: 'reason',
    audit_exports: 'filter',
  };

  it.each(appendOnly)('may not UPDATE, DELETE or TRUNCATE %s (permission denied)', async (table) => {
    const id = sql.identifier([table]);
    const column = sql.identifier([someColumn[table]]);
    for (const statement of [
      sql.unsafe`UPDATE ${id} SET ${column} = ${column}`,
      sql.unsafe`DELETE FROM ${id}`,
      sql.unsafe`TRUNCATE ${id}`,
    ]) {
      const refused = await refusal(() => t.pool.query(statement));
      expect(refused.code, refused.message).toBe('42501');
    }
  });

  it('may neither delete a subject key nor restore an erased one', async () => {
    expect((await refusal(() => t.pool.query(sql.unsafe`DELETE FROM audit_subject_keys`))).code).toBe(
      '42501',
    );
    expect(
      (await refusal(() => t.pool.query(sql.unsafe`UPDATE audit_subject_keys SET created_at = now()`))).code,
    ).toBe('42501');
  });
});

describe('the triggers, against the owner', () => {
  it.each(appendOnly)('refuse UPDATE, DELETE and TRUNCATE on %s', async (table) => {
    const id = sql.identifier([table]);
    const update =
      table === 'audit_events'
        ? sql.unsafe`UPDATE audit_events SET sealed_at = sealed_at`
        : table === 'audit_tree_nodes'
          ? sql.unsafe`UPDATE audit_tree_nodes SET hash = hash`
          : table === 'audit_tree_heads'
            ? sql.unsafe`UPDATE audit_tree_heads SET signature = signature`
            : sql.unsafe`UPDATE ${id} SET ctid = ctid WHERE false`;
    if (table === 'audit_tree_nodes') {
      await t.adminPool.query(sql.unsafe`
        INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (8, 999999, sha256('x'))`);
    }
    if (table === 'audit_witness_cosignatures') {
      await t.adminPool.query(sql.unsafe`
        INSERT INTO audit_witness_cosignatures (tree_size, witness_key_id, "timestamp", signature)
        SELECT tree_size, 'w', 'now', signature FROM audit_tree_heads LIMIT 1`);
    }
    if (table === 'audit_events' || table === 'audit_tree_heads' || table === 'audit_tree_nodes') {
      const refused = await refusal(() => t.adminPool.query(update));
      expect(refused.message).toContain('append-only');
    }
    // Row triggers fire only for rows that exist: insert one where the table may be empty.
    if (table === 'audit_verifications') {
      await t.adminPool.query(sql.unsafe`
        INSERT INTO audit_verifications (started_at, ok, checked_events) VALUES (now(), true, 0)`);
    }
    if (table === 'audit_exports') {
      await t.adminPool.query(sql.unsafe`
        INSERT INTO audit_exports (id, requested_by, filter, tree_size) VALUES (gen_random_uuid(), 'x', '{}', 1)`);
    }
    const count = await t.adminPool.oneFirst(
      sql.type(z.object({ n: z.coerce.number() }))`SELECT count(*) AS n FROM ${id}`,
    );
    if (count > 0) {
      expect((await refusal(() => t.adminPool.query(sql.unsafe`DELETE FROM ${id}`))).message).toContain(
        'append-only',
      );
    }
    expect((await refusal(() => t.adminPool.query(sql.unsafe`TRUNCATE ${id} CASCADE`))).message).toContain(
      'append-only',
    );
  });

  it('keep an erased subject key erased, even for the owner', async () => {
    const pseudonym = 'ab'.repeat(32);
    await t.adminPool.query(sql.unsafe`
      INSERT INTO audit_subject_keys (pseudonym, wrapped_key) VALUES (${pseudonym}, '\\x01')`);
    await t.adminPool.query(sql.unsafe`
      UPDATE audit_subject_keys SET wrapped_key = NULL, erased_at = now() WHERE pseudonym = ${pseudonym}`);
    const restore = await refusal(() =>
      t.adminPool.query(sql.unsafe`UPDATE audit_subject_keys SET wrapped_key = '\\x02', erased_at = NULL
        WHERE pseudonym = ${pseudonym}`),
    );
    expect(restore.message).toContain('only be erased');
    const remove = await refusal(() =>
      t.adminPool.query(sql.unsafe`DELETE FROM audit_subject_keys WHERE pseudonym = ${pseudonym}`),
    );
    expect(remove.message).toContain('only be erased');
  });

  it('let a signing key only be retired', async () => {
    const refused = await refusal(() =>
      t.adminPool.query(
        sql.unsafe`UPDATE audit_signing_keys SET public_key = public_key, private_key = '\\x00'`,
      ),
    );
    expect(refused.message).toContain('only be retired');
    expect(
      (await refusal(() => t.adminPool.query(sql.unsafe`DELETE FROM audit_signing_keys`))).message,
    ).toContain('only be retired');
  });
});
