/**
 * Bad input to the breach register, generated with fast-check: a 4xx problem+json with a stable code,
 * never a 5xx, and the register is unchanged afterwards. Well-formed dates anywhere in time get an
 * answer too (2xx or 4xx), never a database error.
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createBreachBody,
  updateBreachBody,
} from '../../backend/src/modules/privacy/breaches/breaches.dto.js';
import { badIdSegment, badQuery, headerText, invalidBodies, poisoned } from '../api/support/arbitraries.js';
import { expectProblem } from '../api/support/fixtures.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

let t: TestApp;
let id: string;
beforeAll(async () => {
  t = await createTestApp();
  const res = await t.request('POST', '/api/v1/privacy/breaches', { as: 'privacy', body: validCreate });
  id = res.body.id;
});
afterAll(() => t?.close());

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

async function digest(): Promise<string> {
  return t.adminPool.oneFirst(sql.type(z.object({ d: z.string() }))`
    SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, ',' ORDER BY id)), '') AS d FROM breaches r`);
}

async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

const validCreate = {
  title: 'Laptop stolen',
  description: 'An unencrypted laptop with an export was stolen from a car.',
  categories: ['user.device.telemetry', 'user.patient.code'],
  subjectsAffected: 12,
  recordsAffected: 3400,
  likelyConsequences: 'Identification of patients.',
  measures: 'Remote wipe requested.',
  risk: 'high',
  occurredAt: '2026-01-01T08:00:00Z',
  detectedAt: '2026-01-01T10:00:00+01:00',
};
const validUpdate = {
  title: 'Laptop stolen (updated)',
  status: 'contained',
  risk: 'risk',
  authorityNotifiedAt: '2026-01-02T10:00:00Z',
  subjectsNotifiedAt: '2026-01-05T10:00:00Z',
  lateNotificationReason: null,
};

const version = () =>
  t.adminPool.oneFirst(
    sql.type(z.object({ version: z.number() }))`SELECT version FROM breaches WHERE id = ${id}`,
  );
const send = async (method: 'POST' | 'PATCH', text: string, headers: Record<string, string> = {}) =>
  t.request(method, method === 'POST' ? '/api/v1/privacy/breaches' : `/api/v1/privacy/breaches/${id}`, {
    as: 'privacy',
    rawBody: text,
    headers: {
      'content-type': 'application/json',
      ...(method === 'PATCH' ? { 'if-match': `"${await version()}"` } : {}),
      ...headers,
    },
  });

describe.each([
  ['POST', createBreachBody, validCreate],
  ['PATCH', updateBreachBody, validUpdate],
] as const)('%s bodies', (method, schema, valid) => {
  it('refuses any body its schema rejects', async () => {
    const property = fc.asyncProperty(invalidBodies(valid, schema), async (text) => {
      expectClientError(await send(method, text));
    });
    await writesNothing(() => fc.assert(property, runs(60)));
  });

  it.each(['NUL', 'lone surrogate'] as const)('refuses %s characters in any string member', async (kind) => {
    const keys = Object.entries(valid)
      .filter(([, v]) => typeof v === 'string')
      .map(([k]) => k);
    const property = fc.asyncProperty(fc.constantFrom(...keys), poisoned(kind), async (key, bad) => {
      expectClientError(await send(method, JSON.stringify({ ...valid, [key]: bad })));
    });
    await writesNothing(() => fc.assert(property, runs(15)));
  });

  it('refuses what is not JSON and other media types', async () => {
    const property = fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => !schema.safeParse(tryJson(s)).success),
        fc.constantFrom('', '[]', 'null', '{"__proto__": {"x": 1}}'),
      ),
      async (text) => expectClientError(await send(method, text)),
    );
    await writesNothing(async () => {
      await fc.assert(property, runs(30));
      expectClientError(await send(method, JSON.stringify(valid), { 'content-type': 'text/plain' }));
    });
  });
});

describe('dates', () => {
  it('answers any well-formed instant with 2xx or a 4xx, never a database error', async () => {
    const instant = fc
      .date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
    const property = fc.asyncProperty(
      fc.constantFrom('occurredAt', 'detectedAt', 'authorityNotifiedAt', 'subjectsNotifiedAt'),
      instant,
      async (field, value) => {
        const res = await send(
          'PATCH',
          JSON.stringify({ [field]: value, lateNotificationReason: 'reasons' }),
        );
        expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
      },
    );
    await fc.assert(
      property,
      runs(60, [
        ['detectedAt', '1970-01-01T00:00:00.000Z'],
        ['occurredAt', '0001-01-01T00:00:00.000Z'],
      ]),
    );
  });
});

describe('If-Match', () => {
  it('refuses a malformed one', async () => {
    const property = fc.asyncProperty(
      headerText.filter((v) => !/^(?:W\/)?"\d{1,9}"$/.test(v.trim())),
      async (value) =>
        expectClientError(await send('PATCH', JSON.stringify(validUpdate), { 'if-match': value })),
    );
    await writesNothing(() => fc.assert(property, runs(30, [['*'], ['"1", "2"'], ['W/1']])));
  });
});

describe('reads and ids', () => {
  it('GET /breaches refuses unknown and repeated keys, bad cursors, limits and filters', async () => {
    const allowed = {
      cursor: 'text',
      limit: 'text',
      status: ['open', 'contained', 'closed'],
      overdue: ['true', 'false'],
    } as const;
    const property = fc.asyncProperty(badQuery(allowed, ['detectedAt']), async (query) => {
      expectClientError(await t.request('GET', `/api/v1/privacy/breaches?${query}`, { as: 'auditor' }));
    });
    await writesNothing(() => fc.assert(property, runs(60, [['overdue=1'], ['status=OPEN'], ['limit=201']])));
  });

  it.each(['GET', 'PATCH'])(
    '%s /breaches/{id}: any id that is not an existing breach is a 4xx',
    async (method) => {
      const property = fc.asyncProperty(badIdSegment, async (segment) => {
        const res = await t.request(method, `/api/v1/privacy/breaches/${segment}`, {
          as: 'privacy',
          headers: { 'if-match': '"1"' },
          ...(method === 'PATCH' ? { body: { status: 'contained' } } : {}),
        });
        expectClientError(res);
      });
      await writesNothing(() => fc.assert(property, runs(40, [['..'], ['%2e%2e'], ['not-a-uuid']])));
    },
  );
});

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
