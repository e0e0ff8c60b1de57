/**
 * Bad input to the consent API, generated with fast-check: always a 4xx problem+json with a stable
 * code, never a 5xx, and nothing is recorded (the table's digest is the same before and after).
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { demoPatients } from '../../backend/src/launcher/demo-data.js';
import { createConsentBody } from '../../backend/src/modules/privacy/consent/consent.dto.js';
import {
  badIdSegment,
  badQuery,
  invalidBodies,
  junkString,
  percentEncoded,
  poisoned,
} from '../api/support/arbitraries.js';
import { expectProblem } from '../api/support/fixtures.js';
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
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
    SELECT count(*) || ':' || coalesce(md5(string_agg(r::text, ',' ORDER BY id)), '') AS d FROM consent_records r`);
}

async function writesNothing(batch: () => Promise<void>): Promise<void> {
  const before = await digest();
  await batch();
  expect(await digest()).toBe(before);
}

const valid = {
  patientId: demoPatients.p2.id,
  purpose: 'analytics',
  action: 'given',
  source: 'officer',
  evidence: 'notice v3',
};
const post = (rawBody: string, as = 'privacy', type = 'application/json') =>
  t.request('POST', '/api/v1/privacy/consents', { as, rawBody, headers: { 'content-type': type } });

describe('POST /api/v1/privacy/consents', () => {
  it('accepts the valid body the properties start from (so they test the fields, not the caller)', async () => {
    const res = await post(JSON.stringify(valid));
    expect(res.status, res.text).toBe(201);
  });

  it('refuses any body its schema rejects, as the officer and as the data subject', async () => {
    const property = fc.asyncProperty(
      invalidBodies(valid, createConsentBody),
      fc.constantFrom('privacy', 'subject'),
      async (text, as) => expectClientError(await post(text, as)),
    );
    await writesNothing(() => fc.assert(property, runs(60)));
  });

  it('refuses well-formed bodies that break a rule: purposes, subjects, sources (422/403/400)', async () => {
    const property = fc.asyncProperty(
      fc.record({
        patientId: fc.oneof(fc.uuid(), fc.constant(demoPatients.p1.id)),
        purpose: fc.oneof(
          fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
          fc.constantFrom('care', 'accountability'),
        ),
        action: fc.constantFrom('given', 'withdrawn'),
        source: fc.constantFrom('officer', 'import', 'device', 'portal'),
      }),
      fc.constantFrom('privacy', 'subject', 'operator'),
      async (body, as) => {
        // The one real patient only with a purpose that takes no consent: every body here breaks a rule.
        fc.pre(!['analytics', 'research'].includes(body.purpose) || body.patientId !== demoPatients.p1.id);
        expectClientError(await post(JSON.stringify(body), as));
      },
    );
    await writesNothing(() =>
      fc.assert(
        property,
        runs(60, [[{ ...valid, patientId: demoPatients.p1.id, purpose: 'care' }, 'subject']]),
      ),
    );
  });

  it.each(['NUL', 'lone surrogate'] as const)('refuses %s characters in any string member', async (kind) => {
    const property = fc.asyncProperty(
      fc.constantFrom(...Object.keys(valid)),
      poisoned(kind),
      async (key, bad) => {
        expectClientError(await post(JSON.stringify({ ...valid, [key]: bad })));
      },
    );
    await writesNothing(() => fc.assert(property, runs(15)));
  });

  it('refuses what is not JSON, other media types and a body over 1 MiB', async () => {
    const property = fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ text, type: 'application/json' })),
        fc
          .constantFrom('text/plain', 'application/x-www-form-urlencoded')
          .map((type) => ({ text: JSON.stringify(valid), type })),
      ),
      async ({ text, type }) => {
        fc.pre(type !== 'application/json' || !createConsentBody.safeParse(tryJson(text)).success);
        expectClientError(await post(text, 'privacy', type));
      },
    );
    await writesNothing(async () => {
      await fc.assert(property, runs(30, [[{ text: '', type: 'application/json' }]]));
      expectClientError(await post(JSON.stringify({ ...valid, evidence: 'x'.repeat(1_100_000) })));
    });
  });
});

describe('reads', () => {
  it('GET /consents refuses unknown and repeated keys, bad cursors, limits and filters', async () => {
    const allowed = {
      cursor: 'text',
      limit: 'text',
      order: ['asc', 'desc'],
      patientId: 'uuid',
      userId: 'uuid',
      purpose: /^[a-z][a-z0-9-]{0,63}$/,
    } as const;
    const property = fc.asyncProperty(badQuery(allowed, ['recordedAt']), async (query) => {
      expectClientError(await t.request('GET', `/api/v1/privacy/consents?${query}`, { as: 'privacy' }));
    });
    await writesNothing(() => fc.assert(property, runs(60, [['limit=0'], ['order=up'], ['cursor=%%%']])));
  });

  it('GET /consents/subjects/{kind}/{id} answers 4xx for any kind or id that is not a subject', async () => {
    const kind = fc.oneof(
      fc.constantFrom('patient', 'user'),
      junkString.filter((k) => k.length > 0).map(percentEncoded),
    );
    const property = fc.asyncProperty(kind, badIdSegment, async (k, id) => {
      expectClientError(
        await t.request('GET', `/api/v1/privacy/consents/subjects/${k}/${id}`, { as: 'privacy' }),
      );
    });
    await writesNothing(() =>
      fc.assert(
        property,
        runs(60, [
          ['patients', demoPatients.p1.id],
          ['patient', '..'],
        ]),
      ),
    );
  });
});

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
