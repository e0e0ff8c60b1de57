/**
 * Deny by default, proven: every route the server registers answers 401 without a valid token,
 * except the ones on this explicit public list. Adding a public route means adding it here.
 */
import { eventPayloads } from '@custos/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes, recordedRoutes } from '../../backend/src/core/http/route-inventory.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_ROUTES = new Set([
  'GET /api/health',
  'GET /api/health/ready',
  'GET /metrics',
  'GET /api/openapi.json',
  'GET /api/docs',
  'GET /api/docs/init.js',
  'GET /api/docs/swagger-ui.css',
  'GET /api/docs/swagger-ui-bundle.js',
  // The device CA chain and CRL: what brokers and devices need to trust the device PKI.
  'GET /api/v1/pki/ca',
  'GET /api/v1/pki/crl',
  // The data-subject request portal: anyone may file a request; a one-time code and then an access
  // token (not a session) prove the requester is the one who filed it.
  'GET /api/v1/privacy/portal/:tenantSlug',
  'POST /api/v1/privacy/portal/:tenantSlug/requests',
  'POST /api/v1/privacy/portal/requests/:reference/code',
  'POST /api/v1/privacy/portal/requests/:reference/verification',
  'GET /api/v1/privacy/portal/requests/:reference',
  'GET /api/v1/privacy/portal/requests/:reference/result',
]);

const UUID = '00000000-0000-4000-8000-000000000000';
const concrete = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, UUID);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const routes = () =>
  recordedRoutes(t.app.getHttpAdapter().getInstance())
    .filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')
    .map((r) => ({ key: `${r.method} ${r.url}`, ...r }));

describe('route inventory', () => {
  it('knows the routes (the inventory itself is not empty)', () => {
    expect(routes().length).toBeGreaterThan(20);
  });

  it('marks exactly the listed routes public in the controllers', () => {
    const nestPublic = listRoutes(t.app)
      .filter((r) => r.isPublic)
      .map((r) => `${r.method} ${r.path}`);
    expect(nestPublic.every((key) => PUBLIC_ROUTES.has(key))).toBe(true);
    for (const key of PUBLIC_ROUTES) expect(routes().map((r) => r.key)).toContain(key);
  });

  it('refuses every other route without a token, and with a bad one', async () => {
    const guarded = routes().filter((r) => !PUBLIC_ROUTES.has(r.key));
    expect(guarded.length).toBeGreaterThan(15);
    for (const route of guarded) {
      for (const headers of [
        {},
        { authorization: 'Bearer not.a.token' },
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
      ] as Record<string, string>[]) {
        const res = await t.request(route.method, concrete(route.url), {
          headers,
          ...(route.method === 'GET' ? {} : { body: {} }),
        });
        expect(res.status, `${route.key} with ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.code).toBe('unauthenticated');
      }
    }
  });

  it('names the audit event of every state-changing route (no change without its event)', () => {
    const changing = listRoutes(t.app).filter((r) => r.method !== 'GET' && !r.isPublic);
    expect(changing.length).toBeGreaterThan(10);
    const missing = changing.filter((r) => !r.spec?.audit).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    // A refused or failed attempt is recorded under the route's type with only the error: the
    // catalog must accept that payload, or the attempt would go unrecorded.
    for (const route of changing) {
      const type = route.spec?.audit as keyof typeof eventPayloads;
      expect(eventPayloads[type].safeParse({ error: { code: 'forbidden', status: 403 } }).success, type).toBe(
        true,
      );
    }
  });

  it('serves the public routes without a token', async () => {
    for (const key of PUBLIC_ROUTES) {
      const [method, url] = key.split(' ') as [string, string];
      const res = await t.request(method, url);
      if (method === 'GET' && !url.includes(':')) {
        expect([200, 503], key).toContain(res.status);
      } else {
        // Routes taking parameters or a body answer the placeholder input (a 4xx), but never 401.
        expect(res.status, key).not.toBe(401);
        expect(res.status, key).toBeLessThan(500);
      }
    }
  });
});
