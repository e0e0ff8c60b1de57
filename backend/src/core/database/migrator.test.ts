/** Migrations and the invariants the schema itself enforces, on a fresh real database. */
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DatabasePool, sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrl } from '../../../../tests/support/global-setup.js';
import { demoSites, demoTenants } from '../../launcher/demo-data.js';
import { seedDemo } from '../../launcher/seed.js';
import { createDatabase, dropDatabase } from './admin.js';
import { defaultMigrationsDir, migrate, readMigrations } from './migrator.js';
import { createDatabasePool } from './pool.js';

const name = `custos_m_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
let url: string;

beforeAll(async () => {
  const env = inject('testEnv');
  await createDatabase(env.adminUrl, name);
  url = databaseUrl(env.adminUrl, name);
});
afterAll(() => dropDatabase(inject('testEnv').adminUrl, name));

describe('migrations', () => {
  it('apply once, even when two instances start at the same time', async () => {
    const all = await readMigrations();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    expect([...a.applied, ...b.applied]).toHaveLength(all.length);
    expect((await migrate(url)).applied).toEqual([]);
  });

  it('refuse a migration that was edited after it was applied', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'custos-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    await writeFile(
      path.join(dir, `${String(first?.version).padStart(4, '0')}_${first?.name}.sql`),
      `${first?.sql}\n-- edited\n`,
    );
    await expect(migrate(url, dir)).rejects.toThrow(/changed after it was applied/);
  });

  it('run a migration marked no-transaction outside a transaction (CREATE INDEX CONCURRENTLY)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'custos-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    const next = (await readMigrations(dir)).length + 1;
    await writeFile(
      path.join(dir, `${String(next).padStart(4, '0')}_concurrent_index.sql`),
      '-- custos:no-transaction\nCREATE INDEX CONCURRENTLY devices_model_idx ON devices (model);\n',
    );
    expect((await migrate(url, dir)).applied).toEqual([`${String(next).padStart(4, '0')}_concurrent_index`]);
    const db = await createDatabasePool({ connectionUri: url, maxPoolSize: 1, statementTimeoutMs: 5_000 });
    const valid = await db.maybeOneFirst(sql.unsafe`
      SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'devices_model_idx'`);
    await db.end();
    expect(valid).toBe(true);
  });

  it('refuse badly named or gapped migration files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'custos-migrations-'));
    await writeFile(path.join(dir, '0001_ok.sql'), 'SELECT 1;');
    await writeFile(path.join(dir, '0003_gap.sql'), 'SELECT 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/without gaps/);
    await writeFile(path.join(dir, 'bad name.sql'), 'SELECT 1;');
    await expect(readMigrations(dir)).rejects.toThrow(/must look like/);
  });
});

describe('schema invariants', () => {
  let pool: DatabasePool;
  beforeAll(async () => {
    pool = await createDatabasePool({ connectionUri: url, maxPoolSize: 2, statementTimeoutMs: 10_000 });
    await seedDemo(pool, 'http://issuer.test');
    await seedDemo(pool, 'http://issuer.test'); // idempotent
  });
  afterAll(() => pool?.end());

  it('seeds once', async () => {
    expect(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM tenants`)).toBe(2);
  });

  it('refuses a lifecycle jump even from raw SQL', async () => {
    await expect(
      pool.query(
        sql.unsafe`UPDATE devices SET lifecycle_state = 'active' WHERE serial_number = 'ACME-U-0002'`,
      ),
    ).rejects.toMatchObject({ cause: { code: '23514' } });
    await pool.query(
      sql.unsafe`UPDATE devices SET lifecycle_state = 'provisioned' WHERE serial_number = 'ACME-U-0002'`,
    );
    await expect(
      pool.query(
        sql.unsafe`UPDATE devices SET lifecycle_state = 'manufactured' WHERE serial_number = 'ACME-U-0002'`,
      ),
    ).rejects.toMatchObject({ cause: { code: '23514' } });
  });

  it('refuses a care assignment across tenants', async () => {
    await expect(
      pool.query(sql.unsafe`
        INSERT INTO care_assignments (tenant_id, user_id, patient_id)
        SELECT ${demoTenants.globex.id}, u.id, p.id FROM users u, patients p
        WHERE u.username = 'operator-globex' AND p.code = 'PT-0001'`),
    ).rejects.toMatchObject({ cause: { code: '23503' } });
  });

  it('keeps a site exactly on claimed, active and suspended devices', async () => {
    for (const [state, site] of [
      ['manufactured', demoSites.north.id],
      ['provisioned', demoSites.north.id],
      ['active', null],
      ['claimed', null],
    ] as const) {
      await expect(
        pool.query(sql.unsafe`
          INSERT INTO devices (tenant_id, site_id, serial_number, model, lifecycle_state)
          VALUES (${demoTenants.acme.id}, ${site}, ${`SITE-${state}`}, 'M', ${state})`),
      ).rejects.toMatchObject({ cause: { code: '23514', constraint: 'devices_site_follows_lifecycle' } });
    }
  });

  it('refuses a device pointing at another tenant’s site', async () => {
    await expect(
      pool.query(sql.unsafe`
        INSERT INTO devices (tenant_id, site_id, serial_number, model, lifecycle_state)
        VALUES (${demoTenants.acme.id}, ${demoSites.globexLab.id}, 'CROSS-1', 'M', 'active')`),
    ).rejects.toMatchObject({ cause: { code: '23503' } });
  });
});
