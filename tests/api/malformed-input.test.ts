/**
 * Bad input to every endpoint, generated with fast-check: the answer is always a 4xx
 * application/problem+json with a stable `code` (and `status` equal to the HTTP status), never a 5xx
 * or a stack trace, and nothing is written: a digest of every table is the same before and after.
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { demoSites, demoTenants } from '../../backend/src/launcher/demo-data.js';
import {
  claimDeviceBody,
  registerDeviceBody,
  updateDeviceBody,
} from '../../backend/src/modules/devices/devices.dto.js';
import { createSiteBody, updateSiteBody } from '../../backend/src/modules/sites/sites.dto.js';
import { createTenantBody, updateTenantBody } from '../../backend/src/modules/tenants/tenants.dto.js';
import { updateUserBody } from '../../backend/src/modules/users/users.dto.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import {
  badAuthorizations,
  badIdSegment,
  badQuery,
  headerText,
  invalidBodies,
  junkValue,
  poisoned,
} from './support/arbitraries.js';
import { demoUserId, expectProblem, insertDevice, type TableName } from './support/fixtures.js';

const acme = demoTenants.acme.id;
const north = demoSites.north.id;
const operatorId = demoUserId('operator');
/** An active Acme North device of our own, with a known id. */
const deviceId = 'de000000-0000-4000-8000-00000000f001';

let t: TestApp;
let badTokens: string[];
beforeAll(async () => {
  t = await createTestApp();
  await t.pool.query(sql.unsafe`
    INSERT INTO devices (id, tenant_id, site_id, serial_number, model, lifecycle_state)
    VALUES (${deviceId}, ${acme}, ${north}, 'FX-MALFORMED', 'Fixture 1', 'active')`);
  badTokens = await badAuthorizations(await t.tokenFor('operator'));
});
afterAll(() => t?.close());

/** No shrinking: a failing run may have written, so replaying smaller inputs would only mislead. */
const runs = (numRuns: number, examples: unknown[][] = []) => ({
  numRuns,
  endOnFailure: true,
  examples: examples as never,
});

function expectClientError(res: TestResponse): void {
  expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
  expectProblem(res);
}

/** Every row of the four tables (users without what a sign-in legitimately refreshes). */
async function digest(): Promise<string> {
  return (await t.pool.oneFirst(sql.unsafe`
    SELECT concat_ws('|',
      (SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM tenants r),
      (SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM sites r),
      (SELECT md5(string_agg(r::text, ',' ORDER BY id)) FROM devices r),
      (SELECT md5(string_agg((to_jsonb(r) - 'last_seen_at' - 'updated_at' - 'version')::text, ',' ORDER BY id))
         FROM users r))`)) as string;
}

/** Runs a batch of malformed requests and asserts that none of them wrote anything. */
async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

interface BodyRoute {
  name: string;
  method: 'POST' | 'PATCH';
  url: string;
  as: string;
  schema: z.ZodType;
  valid: Record<string, unknown>;
  /** The table a PATCH targets, for a correct If-Match (so that the body is the only fault). */
  versioned?: TableName;
}
type Row = [BodyRoute['method'], string, string, z.ZodType, Record<string, unknown>, TableName?];
const device = {
  serialNumber: 'FX-VALID',
  model: 'Valid',
  firmwareVersion: '1.0',
  labels: { ward: 'valid' },
};
// biome-ignore format: one route per line
const bodyRoutes: BodyRoute[] = ([
  ['POST',  '/api/v1/tenants',                     'admin',        createTenantBody,   { slug: 'fx-valid', name: 'Valid' }],
  ['PATCH', `/api/v1/tenants/${acme}`,             'admin',        updateTenantBody,   { name: 'Valid' }, 'tenants'],
  ['POST',  '/api/v1/sites',                       'tenant-admin', createSiteBody,     { tenantId: acme, code: 'FXVALID', name: 'Valid', timezone: 'UTC' }],
  ['PATCH', `/api/v1/sites/${north}`,              'tenant-admin', updateSiteBody,     { name: 'Valid', timezone: 'UTC' }, 'sites'],
  ['PATCH', `/api/v1/users/${operatorId}`,         'tenant-admin', updateUserBody,     { displayName: 'Valid', attributes: { dept: 'valid' } }, 'users'],
  ['POST',  '/api/v1/devices',                     'tenant-admin', registerDeviceBody, { ...device, dataCategory: 'operational' }],
  ['PATCH', `/api/v1/devices/${deviceId}`,         'tenant-admin', updateDeviceBody,   { model: 'Valid', firmwareVersion: '1.0', labels: { ward: 'valid' } }, 'devices'],
  ['POST',  `/api/v1/devices/${deviceId}/claim`,   'tenant-admin', claimDeviceBody,    { siteId: north }],
] satisfies Row[]).map(([method, url, as, schema, valid, versioned]) => ({
  name: `${method} ${url.replace(/[0-9a-f-]{36}/, ':id')}`, method, url, as, schema, valid, versioned,
}));

async function sendJson(
  route: BodyRoute,
  text: string,
  extra: Record<string, string> = {},
): Promise<TestResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (route.versioned) {
    const id = route.url.split('/').at(-1) as string;
    const current = await t.pool.oneFirst(sql.unsafe`
      SELECT version FROM ${sql.identifier([route.versioned])} WHERE id = ${id}`);
    headers['if-match'] = `"${current}"`;
  }
  return t.request(route.method, route.url, {
    as: route.as,
    rawBody: text,
    headers: { ...headers, ...extra },
  });
}

describe.each(bodyRoutes)('JSON bodies: $name', (route) => {
  it('refuses any body its schema rejects (wrong types, junk members, unicode, huge, nested)', async () => {
    const property = fc.asyncProperty(invalidBodies(route.valid, route.schema), async (text) => {
      expectClientError(await sendJson(route, text));
    });
    await writesNothing(() => fc.assert(property, runs(40)));
  });

  // Strings every schema accepts but that are not storable text: still a 4xx, never a 500 or a mangled write.
  it.each(['NUL', 'lone surrogate'] as const)('refuses %s characters in any string member', async (kind) => {
    const paths = Object.entries(route.valid).flatMap(
      ([key, value]): Array<[string, string?]> =>
        typeof value === 'string'
          ? [[key]]
          : typeof value === 'object'
            ? Object.keys(value ?? {}).map((k) => [key, k])
            : [],
    );
    const withBad = ([key, sub]: [string, string?], bad: string) =>
      JSON.stringify({ ...route.valid, [key]: sub ? { ...(route.valid[key] as object), [sub]: bad } : bad });
    const property = fc.asyncProperty(fc.constantFrom(...paths), poisoned(kind), async (path, bad) => {
      expectClientError(await sendJson(route, withBad(path, bad)));
    });
    const examples = paths.map((path) => [path, kind === 'NUL' ? '\u0000' : '\ud800']);
    await writesNothing(() => fc.assert(property, runs(15, examples)));
  });
});

const bodiless = ['provision', 'activate', 'suspend', 'decommission'] as const;
const mutationRoutes: Array<[string, string]> = [
  ...bodyRoutes.map((r): [string, string] => [r.method, r.url]),
  ...bodiless.map((a): [string, string] => ['POST', `/api/v1/devices/${deviceId}/${a}`]),
];
const hugeBody = JSON.stringify({ name: 'x'.repeat(1_100_000) });
type Raw = { text: string; type: string; status?: number; code?: string };
const mediaTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/html',
];

describe.each(mutationRoutes)('raw bodies: %s %s', (method, url) => {
  it('refuses unparsable JSON, other media types, an empty JSON body and a body over 1 MiB', async () => {
    const notJson = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return s.trim().length > 0;
      }
    });
    const raw: fc.Arbitrary<Raw> = fc.oneof(
      notJson.map((text) => ({ text, type: 'application/json', status: 400, code: 'malformed_body' })),
      fc
        .tuple(fc.constantFrom(...mediaTypes), fc.jsonValue())
        .map(([type, v]) => ({ text: JSON.stringify(v), type, status: 415, code: 'unsupported_media_type' })),
      fc
        .stringMatching(/^[a-z]{1,8}\/[a-z0-9.+-]{1,12}$/)
        .filter((type) => !type.includes('json'))
        .map((type) => ({ text: '{"a":1}', type })),
    );
    const examples: Raw[] = [
      { text: '', type: 'application/json', status: 400, code: 'malformed_body' },
      {
        text: 'a=1&b=2',
        type: 'application/x-www-form-urlencoded',
        status: 415,
        code: 'unsupported_media_type',
      },
      { text: hugeBody, type: 'application/json', status: 413, code: 'payload_too_large' },
      {
        text: '{"__proto__": {"isAdmin": true}}',
        type: 'application/json',
        status: 400,
        code: 'malformed_body',
      },
    ];
    const property = fc.asyncProperty(raw, async ({ text, type, status, code }) => {
      const headers = { 'content-type': type };
      const res = await t.request(method, url, { as: 'tenant-admin', rawBody: text, headers });
      expectClientError(res);
      if (status) expect(res.body).toMatchObject({ status, code });
    });
    await writesNothing(() =>
      fc.assert(
        property,
        runs(
          30,
          examples.map((e) => [e]),
        ),
      ),
    );
  });
});

describe('lifecycle actions that take no body', () => {
  // No body schema is declared for them, so a JSON body is never looked at: junk is accepted and
  // the transition (decommission is final) happens anyway.
  const from = {
    provision: 'manufactured',
    activate: 'suspended',
    suspend: 'active',
    decommission: 'active',
  } as const;
  it.each(bodiless)('%s refuses a JSON body instead of ignoring it', async (action) => {
    // Devices get a site when claimed (the database enforces it), so a manufactured one has none.
    const siteId = from[action] === 'manufactured' ? null : north;
    const { id } = await insertDevice(t, { tenantId: acme, siteId, state: from[action] });
    const junk = fc.oneof(
      fc.dictionary(fc.string({ minLength: 1 }), junkValue, { minKeys: 1 }),
      fc.array(junkValue, { minLength: 1 }),
    );
    const property = fc.asyncProperty(junk, async (body) => {
      expectClientError(
        await t.request('POST', `/api/v1/devices/${id}/${action}`, { as: 'tenant-admin', body }),
      );
    });
    await writesNothing(() =>
      fc.assert(property, runs(20, [[{ siteId: demoSites.south.id }], [{ force: true }]])),
    );
  });
});

// biome-ignore format: one route per line
const idRoutes: Array<[string, string, unknown?]> = [
  ['GET', '/api/v1/tenants/:id'], ['PATCH', '/api/v1/tenants/:id', { name: 'Valid' }],
  ['GET', '/api/v1/sites/:id'],   ['PATCH', '/api/v1/sites/:id', { name: 'Valid' }],
  ['GET', '/api/v1/users/:id'],   ['PATCH', '/api/v1/users/:id', { displayName: 'Valid' }],
  ['GET', '/api/v1/devices/:id'], ['PATCH', '/api/v1/devices/:id', { model: 'Valid' }],
  ...bodiless.map((a): [string, string] => ['POST', `/api/v1/devices/:id/${a}`]),
  ['POST', '/api/v1/devices/:id/claim', { siteId: north }],
];

describe.each(idRoutes)('path parameters: %s %s', (method, path, body) => {
  const call = (segment: string) =>
    t.request(method, path.replace(':id', segment), { as: 'admin', body, headers: { 'if-match': '"1"' } });

  it.each([
    ['a non-uuid', 'not-a-uuid'],
    ['an unknown uuid', '7d1c2b8e-5a4f-4c3e-9b2a-1f0e9d8c7b6a'],
    ['a dot-dot', '..'],
    ['an encoded dot-dot', '%2e%2e'],
    ['a truncated escape', '%'],
    ['an invalid escape', '%zz'],
    ['a 150-character', 'a'.repeat(150)],
  ])('answers 4xx problem+json for %s id', async (_kind, segment) => {
    await writesNothing(async () => expectClientError(await call(segment)));
  });

  it('answers 4xx problem+json for any id that is not an existing uuid', async () => {
    const property = fc.asyncProperty(badIdSegment, async (segment) =>
      expectClientError(await call(segment)),
    );
    await writesNothing(() => fc.assert(property, runs(30)));
  });
});

const orders = ['asc', 'desc'];
const uuid = 'uuid' as const;
const page = { cursor: 'text', limit: 'text', order: orders } as const;
const lists = [
  ['/api/v1/tenants', 'admin', { ...page, sort: ['slug', 'createdAt'] }],
  ['/api/v1/sites', 'tenant-admin', { ...page, sort: ['code', 'createdAt'], tenantId: uuid }],
  ['/api/v1/users', 'tenant-admin', { ...page, sort: ['username', 'createdAt'], tenantId: uuid }],
  [
    '/api/v1/devices',
    'tenant-admin',
    {
      ...page,
      sort: ['serialNumber', 'createdAt', 'updatedAt'],
      siteId: uuid,
      lifecycleState: ['manufactured', 'provisioned', 'claimed', 'active', 'suspended', 'decommissioned'],
      model: 'text',
      serialPrefix: /^[A-Za-z0-9._:-]{1,64}$/,
      label: /^[a-z0-9][a-z0-9_.-]{0,62}=.{0,256}$/,
    },
  ],
] as const;

describe.each(lists)('query strings: GET %s', (path, as, allowed) => {
  it('refuses unknown and repeated keys, bad cursors, limits out of range, bad sort/order and filters', async () => {
    const property = fc.asyncProperty(badQuery(allowed, allowed.sort), async (query) => {
      expectClientError(await t.request('GET', `${path}?${query}`, { as }));
    });
    const examples = [['limit=0'], ['limit=201'], ['limit=1&limit=2'], ['order=up'], ['cursor=%%%']];
    await writesNothing(() => fc.assert(property, runs(40, examples)));
  });
});

// A NUL byte passes the filters' patterns (`.` matches it) but is no text PostgreSQL can compare.
it.each(['label=ward%3D%00', 'label=ward%3Dicu%00x', 'model=CX%00'])(
  'GET /api/v1/devices?%s is a 4xx',
  async (query) => {
    await writesNothing(async () =>
      expectClientError(await t.request('GET', `/api/v1/devices?${query}`, { as: 'operator' })),
    );
  },
);

describe('headers', () => {
  const etag = /^(?:W\/)?"\d{1,9}"$/;
  const senders: Array<[string, (ifMatch: string) => Promise<TestResponse>]> = [
    ...bodyRoutes
      .filter((r) => r.versioned)
      .map((r): [string, (v: string) => Promise<TestResponse>] => [
        r.name,
        (v) => sendJson(r, JSON.stringify(r.valid), { 'if-match': v }),
      ]),
    ...[...bodiless, 'claim'].map((a): [string, (v: string) => Promise<TestResponse>] => [
      `POST /api/v1/devices/:id/${a}`,
      (v) =>
        t.request('POST', `/api/v1/devices/${deviceId}/${a}`, {
          as: 'tenant-admin',
          headers: { 'if-match': v },
          ...(a === 'claim' ? { body: { siteId: north } } : {}),
        }),
    ]),
  ];

  it.each(senders)('%s refuses a malformed If-Match', async (_name, send) => {
    const property = fc.asyncProperty(
      headerText.filter((v) => !etag.test(v.trim())),
      async (value) => expectClientError(await send(value)),
    );
    await writesNothing(() => fc.assert(property, runs(25, [['*'], ['"1", "2"'], ['"1'], ['W/1']])));
  });

  it('refuses an unknown purpose of use on every authenticated route', async () => {
    const purposes = ['treatment', 'operations', 'audit', 'privacy-request', 'emergency'];
    const paths = [
      '/api/v1/devices',
      '/api/v1/sites',
      '/api/v1/users/me',
      '/api/v1/tenants',
      `/api/v1/devices/${deviceId}`,
    ];
    const value = headerText.filter((v) => !purposes.includes(v.trim()));
    const property = fc.asyncProperty(fc.constantFrom(...paths), value, async (path, purpose) => {
      const res = await t.request('GET', path, { as: 'clinician', headers: { 'x-purpose-of-use': purpose } });
      expectClientError(res);
      expect(res.body.errors?.[0]).toMatchObject({ location: 'header', path: 'x-purpose-of-use' });
    });
    const examples = [
      ['/api/v1/devices', 'Treatment'],
      ['/api/v1/devices', 'treatment,audit'],
      ['/api/v1/devices', ''],
    ];
    await writesNothing(() => fc.assert(property, runs(40, examples)));
  });

  it('answers 401 to every Authorization that is not a valid bearer token', async () => {
    const routes: Array<[string, string]> = [
      ...lists.map(([path]): [string, string] => ['GET', path]),
      ...mutationRoutes,
      ['GET', '/api/v1/users/me'],
    ];
    const authorization = fc.oneof(
      fc.constantFrom(...badTokens),
      headerText,
      fc.string({ maxLength: 40 }).map((s) => `Bearer ${s}`),
    );
    const property = fc.asyncProperty(
      fc.constantFrom(...routes),
      authorization,
      async ([method, path], value) => {
        const body = method === 'GET' ? undefined : {};
        const res = await t.request(method, path, { headers: { authorization: value }, body });
        expectClientError(res);
        expect(res.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      },
    );
    const examples = badTokens.map((token) => [['GET', '/api/v1/devices'], token]);
    await writesNothing(() => fc.assert(property, runs(60, examples)));
  });
});
