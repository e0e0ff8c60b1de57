/**
 * A real API for one test file: its own database cloned from the migrated, seeded template, real
 * tokens from the development identity provider, requests through Fastify's full pipeline.
 */
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { type DatabasePool, sql } from 'slonik';
import { inject } from 'vitest';
import { createApp } from '../../backend/src/app.js';
import { loadConfig } from '../../backend/src/core/config/config.js';
import { Database } from '../../backend/src/core/database/database.js';
import { createDatabasePool } from '../../backend/src/core/database/pool.js';
import { fetchPasswordToken } from '../../backend/src/dev-idp/identity-provider.js';
import { databaseUrl } from './global-setup.js';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  text: string;
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
  pool: DatabasePool;
  databaseUrl: string;
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

async function cloneTemplate(): Promise<string> {
  const env = inject('testEnv');
  const name = `custos_t_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = await createDatabasePool({
    connectionUri: env.adminUrl,
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(
          sql.unsafe`CREATE DATABASE ${sql.identifier([name])} TEMPLATE ${sql.identifier([env.templateDatabase])}`,
        );
        break;
      } catch (error) {
        // 55006: the template is briefly in use by a parallel clone; try again.
        if (attempt > 20) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return name;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = await createDatabasePool({
    connectionUri: inject('testEnv').adminUrl,
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  try {
    await admin.query(sql.unsafe`DROP DATABASE IF EXISTS ${sql.identifier([name])} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function createTestApp(
  options: { env?: Record<string, string>; logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const env = inject('testEnv');
  const name = await cloneTemplate();
  const url = databaseUrl(env.adminUrl, name);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    OIDC_ISSUER: env.issuer,
    OIDC_JWKS_URI: env.jwksUri,
    DEV_IDP_ENABLED: 'false',
    SEED_DEMO: 'false',
    LOG_LEVEL: options.logDestination ? 'info' : 'silent',
    ...options.env,
  });
  const pool = await createDatabasePool({ connectionUri: url, maxPoolSize: 5, statementTimeoutMs: 10_000 });
  const app = await createApp({
    config,
    database: new Database(pool),
    logDestination: options.logDestination,
  });
  const fastify = app.getHttpAdapter().getInstance();

  return {
    app,
    pool,
    databaseUrl: url,
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
      return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body };
    },
    async close() {
      await app.close();
      await pool.end();
      await dropDatabase(name);
    },
  };
}
