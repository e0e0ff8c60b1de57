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

/** The login role the API connects as (a member of `custos_app`, created by migration 0002). */
export const APP_LOGIN_ROLE = 'custos_api';
/** Its password where Custos creates it (embedded server, tests): the server listens on loopback only. */
export const LOCAL_APP_PASSWORD = 'custos-local-app';

/**
 * Creates (or refreshes) the API's login role on a server the launcher or the test harness owns.
 * Production creates its login roles with its own tooling; see docs/runbooks/audit-trail.md.
 */
export function ensureAppLogin(adminUrl: string, password = LOCAL_APP_PASSWORD): Promise<void> {
  return withAdminPool(adminUrl, async (admin) => {
    const exists = await admin.exists(sql.unsafe`SELECT 1 FROM pg_roles WHERE rolname = ${APP_LOGIN_ROLE}`);
    const verb = exists ? sql.fragment`ALTER` : sql.fragment`CREATE`;
    try {
      await admin.query(
        sql.unsafe`${verb} ROLE ${sql.identifier([APP_LOGIN_ROLE])} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${sql.literalValue(password)}`,
      );
    } catch (error) {
      // Another harness created it between the check and the CREATE.
      if (sqlStateOf(error) !== '42710') throw error;
    }
    await admin.query(sql.unsafe`GRANT custos_app TO ${sql.identifier([APP_LOGIN_ROLE])}`);
  });
}

/** The same server and database, as the API's login role. */
export function appUrlFor(url: string, password = LOCAL_APP_PASSWORD): string {
  const parsed = new URL(url);
  parsed.username = APP_LOGIN_ROLE;
  parsed.password = password;
  return parsed.toString();
}
