/**
 * Bad input to the record-of-processing export, generated with fast-check: a 4xx problem+json, never
 * a 5xx, and a refused export hands nothing out and records no export event.
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { junkString } from '../api/support/arbitraries.js';
import { expectProblem } from '../api/support/fixtures.js';
import { flush } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const exports = async () => {
  await flush(t);
  return t.adminPool.oneFirst(sql.type(z.object({ n: z.coerce.number() }))`
    SELECT count(*) AS n FROM audit_events WHERE type = 'privacy.processing_record_exported'`);
};

describe('GET /api/v1/privacy/processing-record/export', () => {
  it('refuses unknown formats, unknown and repeated keys', async () => {
    const query: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
      junkString
        .filter((v) => !['json', 'csv', 'md'].includes(v))
        .map((v): Array<[string, string]> => [['format', v]]),
      fc.tuple(fc.constantFrom('json', 'csv', 'md'), fc.constantFrom('json', 'csv', 'md')).map(
        ([a, b]): Array<[string, string]> => [
          ['format', a],
          ['format', b],
        ],
      ),
      fc
        .tuple(
          junkString.filter((k) => k.length > 0 && k !== 'format'),
          junkString,
        )
        .map((pair) => [pair]),
    );
    const before = await exports();
    await fc.assert(
      fc.asyncProperty(query, async (pairs) => {
        const res = await t.request(
          'GET',
          `/api/v1/privacy/processing-record/export?${new URLSearchParams(pairs)}`,
          {
            as: 'compliance',
          },
        );
        expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expectProblem(res);
        expect(res.headers['content-disposition']).toBeUndefined();
      }),
      {
        numRuns: 60,
        endOnFailure: true,
        examples: [[[['format', 'pdf']]], [[['format', 'CSV']]], [[['format', '']]]],
      },
    );
    expect(await exports()).toBe(before);
  });
});
