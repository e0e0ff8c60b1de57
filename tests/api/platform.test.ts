/** Cross-cutting behaviour of the API: problem+json for every failure, request ids, health, metrics, OpenAPI. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listRoutes } from '../../backend/src/core/http/route-inventory.js';
import { viaProxy } from '../support/tcp-proxy.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const isProblem = (
  res: { status: number; headers: Record<string, unknown>; body: any },
  status: number,
  code: string,
) => {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, code, type: `urn:custos:problem:${code}` });
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.requestId).toBe('string');
};

describe('errors', () => {
  it('answers an unknown route with 404 problem+json', async () => {
    isProblem(await t.request('GET', '/api/v1/nothing-here', { as: 'operator' }), 404, 'route_not_found');
    isProblem(await t.request('GET', '/nowhere'), 404, 'route_not_found');
  });

  it('answers malformed JSON with 400 malformed_body', async () => {
    const res = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      rawBody: '{"serialNumber": ',
      headers: { 'content-type': 'application/json' },
    });
    isProblem(res, 400, 'malformed_body');
  });

  it('answers a non-JSON body with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.request('POST', '/api/v1/devices', {
        as: 'tenant-admin',
        rawBody: 'serialNumber=X&model=Y',
        headers: { 'content-type': type },
      });
      isProblem(res, 415, 'unsupported_media_type');
    }
  });

  it('answers an oversized body with 413', async () => {
    const res = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      rawBody: JSON.stringify({ serialNumber: 'X', model: 'x'.repeat(1_100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    isProblem(res, 413, 'payload_too_large');
  });

  it('lists every field at fault, with its location', async () => {
    const res = await t.request('POST', '/api/v1/devices', {
      as: 'tenant-admin',
      body: { serialNumber: '!!', model: '', extra: 1 },
    });
    isProblem(res, 400, 'validation_failed');
    const paths = res.body.errors
      .map((e: { location: string; path: string }) => `${e.location}:${e.path}`)
      .sort();
    expect(paths).toEqual(['body:', 'body:model', 'body:serialNumber']);
  });
});

describe('response headers', () => {
  it('forbids caching of API answers, which may hold personal or health data', async () => {
    for (const res of [
      await t.request('GET', '/api/v1/devices', {
        as: 'clinician',
        headers: { 'x-purpose-of-use': 'treatment' },
      }),
      await t.request('GET', '/api/v1/devices'),
      await t.request('GET', '/api/health'),
    ]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('request ids', () => {
  it('keeps a safe caller-supplied id and replaces an unsafe one', async () => {
    const kept = await t.request('GET', '/api/health', { headers: { 'x-request-id': 'trace-1234abcd' } });
    expect(kept.headers['x-request-id']).toBe('trace-1234abcd');
    const replaced = await t.request('GET', '/api/health', {
      headers: { 'x-request-id': '<script>alert(1)</script>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await t.request('GET', '/api/v1/devices', {
      headers: { 'x-request-id': 'trace-5678abcd' },
    });
    expect(problem.body.requestId).toBe('trace-5678abcd');
  });
});

describe('health and metrics', () => {
  it('reports liveness and readiness with the state of each dependency', async () => {
    expect((await t.request('GET', '/api/health')).body).toEqual({ status: 'ok' });
    const ready = await t.request('GET', '/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { database: 'up', identityProvider: 'up' },
      auditTrail: {
        verification: 'not_yet_run',
        verifiedAt: null,
        checkedEvents: null,
        firstBadSeq: null,
        badTreeSize: null,
      },
    });
  });

  it('answers 503, not 401, when the identity provider’s key set fails', async () => {
    const failing = createServer((_req, res) => res.writeHead(503).end('maintenance'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const { port } = failing.address() as AddressInfo;
    const app = await createTestApp({ env: { OIDC_JWKS_URI: `http://127.0.0.1:${port}/certs` } });
    try {
      const res = await app.request('GET', '/api/v1/devices', { as: 'operator' });
      isProblem(res, 503, 'service_unavailable');
    } finally {
      await app.close();
      failing.close();
    }
  });

  it('is not ready when the database stops answering', async () => {
    let cut: () => Promise<void> = async () => undefined;
    const app = await createTestApp({ connectThrough: viaProxy((proxy) => (cut = proxy.cut)) });
    try {
      expect((await app.request('GET', '/api/health/ready')).status).toBe(200);
      await cut();
      const down = await app.request('GET', '/api/health/ready');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        status: 'not_ready',
        checks: { database: 'down', identityProvider: 'up' },
        auditTrail: { verification: 'not_yet_run' },
      });
    } finally {
      await app.close();
    }
  });

  it('asks the identity provider at most once per 5 seconds, however often it is probed', async () => {
    let hits = 0;
    const jwks = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const app = await createTestApp({
      env: { OIDC_JWKS_URI: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs` },
    });
    try {
      for (let i = 0; i < 10; i++) expect((await app.request('GET', '/api/health/ready')).status).toBe(200);
      expect(hits).toBe(1);
    } finally {
      await app.close();
      jwks.close();
    }
  });

  it('stays ready when the identity provider is unreachable, and says so', async () => {
    const idpDown = await createTestApp({
      env: { OIDC_JWKS_URI: 'http://127.0.0.1:9/realms/custos/protocol/openid-connect/certs' },
    });
    try {
      const ready = await idpDown.request('GET', '/api/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toEqual({ database: 'up', identityProvider: 'down' });
    } finally {
      await idpDown.close();
    }
  });

  it('exposes Prometheus metrics labelled by route template, never by id', async () => {
    const id = '0a1c0000-0000-4000-8000-000000000001';
    await t.request('GET', `/api/v1/tenants/${id}`, { as: 'admin' });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('custos_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('route="/api/v1/tenants/:id"');
    expect(metrics.text).not.toContain(id);
    expect(metrics.text).toContain('custos_process_cpu_user_seconds_total');
  });
});

describe('database sessions', () => {
  const preparedCount = (app: TestApp) =>
    app.pool.oneFirst(
      sql.type(z.object({ count: z.number() }))`
        SELECT count(*)::int AS count FROM pg_prepared_statements WHERE name LIKE 'custos_%'`,
    );

  it('prepares each statement once per connection, unless DATABASE_PREPARED_STATEMENTS=false', async () => {
    for (const [setting, prepares] of [
      ['true', true],
      ['false', false],
    ] as const) {
      // One connection, so the check below runs in the session that served the request.
      const app = await createTestApp({
        env: { DATABASE_PREPARED_STATEMENTS: setting, DATABASE_POOL_SIZE: '1' },
      });
      try {
        expect((await app.request('GET', '/api/v1/devices', { as: 'operator' })).status).toBe(200);
        expect((await preparedCount(app)) > 0).toBe(prepares);
      } finally {
        await app.close();
      }
    }
  });

  it('talks to PostgreSQL in UTC, whatever the server default', async () => {
    expect(await t.pool.oneFirst(sql.unsafe`SELECT current_setting('TimeZone')`)).toBe('UTC');
  });
});

describe('OpenAPI', () => {
  it('documents every API route, generated from the validating schemas', async () => {
    const res = await t.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of listRoutes(t.app)) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation.security).toEqual(route.isPublic ? [] : [{ bearer: [] }]);
      expect(operation.responses[String(route.spec?.response.status)]).toBeDefined();
    }
    const register = doc.paths['/api/v1/devices'].post;
    expect(register.requestBody.content['application/json'].schema.required).toEqual([
      'serialNumber',
      'model',
    ]);
    expect(register['x-permission']).toBe('create:Device');
    expect(doc.paths['/api/v1/devices/{id}'].patch.responses['412']).toBeDefined();
    const purpose = doc.paths['/api/v1/devices'].get.parameters.find(
      (p: { name: string }) => p.name === 'x-purpose-of-use',
    );
    expect(purpose.schema.enum).toContain('treatment');
    expect(doc.paths['/api/health'].get.parameters).toEqual([]);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('serves an interactive reference without any CDN', async () => {
    const page = await t.request('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/api/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await t.request('GET', '/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
