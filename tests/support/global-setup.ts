/**
 * Starts what every test file shares, once per run: a PostgreSQL server (embedded, or the one in
 * DATABASE_URL), a template database with the real migrations and the demo seed, and the
 * development identity provider. Each test file clones the template into its own database
 * (CREATE DATABASE … TEMPLATE, ~50 ms), so files run in parallel without seeing each other.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, ensureAppLogin } from '../../backend/src/core/database/admin.js';
import { migrate } from '../../backend/src/core/database/migrator.js';
import { createDatabasePool } from '../../backend/src/core/database/pool.js';
import { startIdentityProvider } from '../../backend/src/dev-idp/identity-provider.js';
import { startEmbeddedPostgres } from '../../backend/src/launcher/embedded-postgres.js';
import { seedDemo } from '../../backend/src/launcher/seed.js';
import { freePort } from './free-port.js';

export interface TestEnvironment {
  adminUrl: string;
  templateDatabase: string;
  issuer: string;
  jwksUri: string;
  tokenEndpoint: string;
  serverKind: 'embedded' | 'external';
  /** One audit master key file for the run (each test database gets its own subject keys anyway). */
  masterKeyFile: string;
  /** One development device CA for the run. */
  pkiDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testEnv: TestEnvironment;
  }
}

export const databaseUrl = (adminUrl: string, database: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
};

export default async function setup(project: TestProject) {
  const cleanups: Array<() => Promise<void>> = [];
  let adminUrl = process.env.DATABASE_URL;
  const serverKind = adminUrl ? 'external' : 'embedded';
  if (!adminUrl) {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'custos-test-')), 'pg');
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
    cleanups.push(() => server.stop());
    adminUrl = server.adminUrl;
  }

  const idp = await startIdentityProvider({ port: 0 });
  cleanups.push(() => idp.close());

  const templateDatabase = `custos_template_${process.pid}`;
  await dropDatabase(adminUrl, templateDatabase);
  await createDatabase(adminUrl, templateDatabase);
  await migrate(databaseUrl(adminUrl, templateDatabase));
  await ensureAppLogin(adminUrl);
  const masterKeyFile = path.join(await mkdtemp(path.join(tmpdir(), 'custos-test-keys-')), 'master.key');
  const pkiDir = path.join(path.dirname(masterKeyFile), 'pki');
  const template = await createDatabasePool({
    connectionUri: databaseUrl(adminUrl, templateDatabase),
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  await seedDemo(template, idp.issuer);
  await template.end();
  cleanups.push(() => dropDatabase(adminUrl as string, templateDatabase));

  project.provide('testEnv', {
    adminUrl,
    templateDatabase,
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    tokenEndpoint: idp.tokenEndpoint,
    serverKind,
    masterKeyFile,
    pkiDir,
  });

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
}
