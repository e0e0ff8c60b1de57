/**
 * A real API for one test file: its own database cloned from the migrated, seeded template, real
 * tokens from the development identity provider, requests through Fastify's full pipeline.
 */
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { DatabasePool } from 'slonik';
import { inject } from 'vitest';
import { createApp } from '../../backend/src/app.js';
import { loadConfig } from '../../backend/src/core/config/config.js';
import { appUrlFor, createDatabase, dropDatabase } from '../../backend/src/core/database/admin.js';
import { Database } from '../../backend/src/core/database/database.js';
import { createApiPool, createDatabasePool } from '../../backend/src/core/database/pool.js';
import type { BrokerControl } from '../../backend/src/core/mqtt/broker-control.js';
import { fetchPasswordToken } from '../../backend/src/dev-idp/identity-provider.js';
import { databaseUrl } from './global-setup.js';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
  /** The body's bytes, for binary responses (bundles). */
  raw: Buffer;
}

export interface RequestOptions {
  as?: string;
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  /** The API's own pool: the non-owner application role, as in production. */
  pool: DatabasePool;
  /** The database owner (a superuser here): for fixtures, and for tests that play a rogue administrator. */
  adminPool: DatabasePool;
  databaseUrl: string;
  adminDatabaseUrl: string;
  request(method: string, url: string, options?: RequestOptions): Promise<TestResponse>;
  tokenFor(username: string): Promise<string>;
  close(): Promise<void>;
}

const tokens = new Map<string, Promise<string>>();

export function tokenFor(username: string): Promise<string> {
  const { tokenEndpoint } = inject('testEnv');
  let token = tokens.get(username);
  if (!token) {
    token = fetchPasswordToken(tokenEndpoint, username);
    tokens.set(username, token);
  }
  return token;
}

export async function createTestApp(
  options: {
    env?: Record<string, string>;
    logDestination?: DestinationStream;
    /** Route the API's database connections elsewhere (e.g. through a proxy a test can cut). */
    connectThrough?: (databaseUrl: string) => Promise<string>;
    /** Where revocations go (a test broker); none by default. */
    brokerControl?: BrokerControl | null;
    /** A second API instance on this one's database (several instances side by side). */
    sameDatabaseAs?: TestApp;
  } = {},
): Promise<TestApp> {
  const env = inject('testEnv');
  const shared = options.sameDatabaseAs;
  const name = shared
    ? new URL(shared.adminDatabaseUrl).pathname.slice(1)
    : `custos_t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  if (!shared) await createDatabase(env.adminUrl, name, env.templateDatabase);
  const adminDatabaseUrl = databaseUrl(env.adminUrl, name);
  const url = await (options.connectThrough ?? (async (u: string) => u))(appUrlFor(adminDatabaseUrl));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    OIDC_ISSUER: env.issuer,
    OIDC_JWKS_URI: env.jwksUri,
    DEV_IDP_ENABLED: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: options.logDestination ? 'info' : 'silent',
    AUDIT_MASTER_KEY_FILE: env.masterKeyFile,
    PKI_DIR: env.pkiDir,
    // Tests that need a broker start one and turn this on (tests/support/mosquitto.ts).
    MQTT_ENABLED: 'false',
    // Tests seal and sign deterministically through AuditTrail.flush(); the job tests turn this on.
    AUDIT_JOBS_ENABLED: 'false',
    // Tests run queued jobs deterministically through JobWorker.runOnce(); a test of the polling turns this on.
    JOBS_ENABLED: 'false',
    ...options.env,
  });
  const pool = await createApiPool(config, url);
  const adminPool = await createDatabasePool({
    connectionUri: adminDatabaseUrl,
    maxPoolSize: 2,
    statementTimeoutMs: 60_000,
  });
  const app = await createApp({
    config,
    database: new Database(pool),
    logDestination: options.logDestination,
    brokerControl: options.brokerControl ?? null,
  });
  const fastify = app.getHttpAdapter().getInstance();

  return {
    app,
    pool,
    adminPool,
    databaseUrl: url,
    adminDatabaseUrl,
    tokenFor,
    async request(method, requestUrl, { as, token, body, rawBody, headers = {} } = {}) {
      const bearer = token ?? (as ? await tokenFor(as) : undefined);
      const response = await fastify.inject({
        method: method as 'GET',
        url: requestUrl,
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(rawBody !== undefined
          ? { payload: rawBody }
          : body !== undefined
            ? { payload: JSON.stringify(body) }
            : {}),
      });
      let parsed: unknown;
      try {
        parsed = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        parsed = undefined;
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        body: parsed,
        text: response.body,
        raw: response.rawPayload,
      };
    },
    async close() {
      await app.close();
      await pool.end();
      await adminPool.end();
      // The database belongs to the first instance.
      if (!shared) await dropDatabase(env.adminUrl, name);
    },
  };
}
