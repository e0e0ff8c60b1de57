/**
 * Bad input to the legal holds API, generated with fast-check: always a 4xx problem+json with a
 * stable code, never a 5xx, and nothing written (a digest of the holds and the audit intake is the
 * same before and after).
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createLegalHoldBody,
  releaseLegalHoldBody,
  updateLegalHoldBody,
} from '../../backend/src/modules/privacy/holds/legal-holds.dto.js';
import { badIdSegment, badQuery, headerText, invalidBodies, poisoned } from '../api/support/arbitraries.js';
import { expectProblem } from '../api/support/fixtures.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';
import { demoUserId, placeHold } from './retention-fixtures.js';

let t: TestApp;
let holdId: string;
beforeAll(async () => {
  t = await createTestApp();
  holdId = await placeHold(t, { scope: 'tenant' });
  // The caller's first request records its sign-in: not part of what the properties may write.
  await t.request('GET', '/api/v1/privacy/legal-holds', { as: 'privacy' });
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
    SELECT concat_ws('|',
      (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY id), '')) FROM legal_holds r),
      (SELECT count(*) FROM audit_intake WHERE event::jsonb ->> 'outcome' = 'allowed')) AS d`);
}

async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

const owner = demoUserId('privacy');
const routes = [
  [
    'POST',
    '/api/v1/privacy/legal-holds',
    createLegalHoldBody,
    { scope: 'tenant', reason: 'Valid', matter: 'M-1', ownerId: owner },
  ],
  [
    'PATCH',
    '/api/v1/privacy/legal-holds/:id',
    updateLegalHoldBody,
    { reason: 'Valid', matter: 'M-2', ownerId: owner },
  ],
  ['POST', '/api/v1/privacy/legal-holds/:id/release', releaseLegalHoldBody, { reason: 'Valid' }],
] as const;

const send = (method: string, path: string, text: string, headers: Record<string, string> = {}) =>
  t.request(method, path.replace(':id', holdId), {
    as: 'privacy',
    rawBody: text,
    headers: { 'content-type': 'application/json', 'if-match': '"1"', ...headers },
  });

describe.each(routes)('JSON bodies: %s %s', (method, path, schema, valid) => {
  it('refuses any body its schema rejects', async () => {
    const property = fc.asyncProperty(invalidBodies(valid, schema), async (text) => {
      expectClientError(await send(method, path, text));
    });
    await writesNothing(() => fc.assert(property, runs(40)));
  });

  it.each(['NUL', 'lone surrogate'] as const)('refuses %s characters in any string member', async (kind) => {
    const keys = Object.keys(valid).filter((k) => k !== 'scope');
    const property = fc.asyncProperty(fc.constantFrom(...keys), poisoned(kind), async (key, bad) => {
      expectClientError(await send(method, path, JSON.stringify({ ...valid, [key]: bad })));
    });
    await writesNothing(() => fc.assert(property, runs(15)));
  });

  it('refuses unparsable JSON and other media types', async () => {
    const property = fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 40 }).map((text) => ({ text: `{${text}`, type: 'application/json' })),
        fc.jsonValue().map((v) => ({ text: JSON.stringify(v), type: 'text/plain' })),
      ),
      async ({ text, type }) => expectClientError(await send(method, path, text, { 'content-type': type })),
    );
    await writesNothing(() => fc.assert(property, runs(20)));
  });
});

describe('path parameters, headers and queries', () => {
  it.each([
    ['GET', '/api/v1/privacy/legal-holds/:id', undefined],
    ['PATCH', '/api/v1/privacy/legal-holds/:id', { reason: 'Valid' }],
    ['POST', '/api/v1/privacy/legal-holds/:id/release', { reason: 'Valid' }],
  ])('%s %s answers 4xx for any id that is not an existing hold', async (method, path, body) => {
    const property = fc.asyncProperty(badIdSegment, async (segment) => {
      expectClientError(
        await t.request(method, path.replace(':id', segment), {
          as: 'privacy',
          body,
          headers: { 'if-match': '"1"' },
        }),
      );
    });
    await writesNothing(() =>
      fc.assert(property, runs(30, [['not-a-uuid'], ['%2e%2e'], ['7d1c2b8e-5a4f-4c3e-9b2a-1f0e9d8c7b6a']])),
    );
  });

  it.each([
    ['PATCH', ''],
    ['POST', '/release'],
  ])('%s refuses a malformed If-Match', async (method, suffix) => {
    const etag = /^(?:W\/)?"\d{1,9}"$/;
    const property = fc.asyncProperty(
      headerText.filter((v) => !etag.test(v.trim())),
      async (value) => {
        expectClientError(
          await t.request(method, `/api/v1/privacy/legal-holds/${holdId}${suffix}`, {
            as: 'privacy',
            body: { reason: 'Valid' },
            headers: { 'if-match': value },
          }),
        );
      },
    );
    await writesNothing(() => fc.assert(property, runs(25, [['*'], ['"1", "2"'], ['W/"1"']])));
  });

  it('GET /api/v1/privacy/legal-holds refuses bad query strings', async () => {
    const allowed = {
      cursor: 'text',
      limit: 'text',
      order: ['asc', 'desc'],
      sort: ['createdAt'],
      active: ['true', 'false'],
      scope: ['tenant', 'site', 'device', 'subject'],
    } as const;
    const property = fc.asyncProperty(badQuery(allowed, allowed.sort), async (query) => {
      expectClientError(await t.request('GET', `/api/v1/privacy/legal-holds?${query}`, { as: 'privacy' }));
    });
    await writesNothing(() => fc.assert(property, runs(40, [['limit=0'], ['active=yes'], ['scope=planet']])));
  });
});
