/**
 * Creating and dropping whole databases, through a short-lived superuser connection: used by the
 * launcher (the embedded server's `custos` database) and by the test harness (a template, and one
 * clone of it per test file).
 */
import { type DatabasePool, sql } from 'slonik';
import { sqlStateOf } from '../errors/to-app-error.js';
import { createDatabasePool } from './pool.js';

export async function withAdminPool<T>(
  adminUrl: string,
  work: (admin: DatabasePool) => Promise<T>,
): Promise<T> {
  const admin = await createDatabasePool({
    connectionUri: adminUrl,
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

export function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  return withAdminPool(adminUrl, async (admin) => {
    const exists = await admin.exists(sql.unsafe`SELECT 1 FROM pg_database WHERE datname = ${name}`);
    if (!exists) await admin.query(sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`);
  });
}

/** A new database, empty or copied from `template`. */
export function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const statement = template
    ? sql.unsafe`CREATE DATABASE ${sql.identifier([name])} TEMPLATE ${sql.identifier([template])}`
    : sql.unsafe`CREATE DATABASE ${sql.identifier([name])}`;
  return withAdminPool(adminUrl, async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(statement);
        return;
      } catch (error) {
        // 55006: the template is briefly in use by a parallel copy; try again.
        if (sqlStateOf(error) !== '55006' || attempt > 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
}

export function dropDatabase(adminUrl: string, name: string): Promise<void> {
  return withAdminPool(adminUrl, async (admin) => {
    await admin.query(sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`);
  });
}
