/**
 * The CSV of a bundle, written by PostgreSQL (subject-rows.ts `csvField`), for any text: a strict RFC
 * 4180 reader gets every value back, and a value a spreadsheet would run as a formula comes back with
 * a leading apostrophe (CSV injection). Numbers, times, objects and NULL keep their meaning.
 */
import fc from 'fast-check';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvField } from '../../backend/src/modules/privacy/fulfilment/subject-rows.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { parseCsv } from './fulfilment-support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const record = async (values: readonly string[]): Promise<string[]> => {
  const cells = await t.pool.anyFirst(sql.type(z.object({ cell: z.string() }))`
    SELECT ${csvField(sql.identifier(['u', 'v']), 'text')} AS cell
    FROM unnest(${sql.array([...values], 'text')}) WITH ORDINALITY AS u(v, i) ORDER BY u.i`);
  return parseCsv(`${cells.join(',')}\r\n`)[0] ?? [];
};

const risky = fc.constantFrom(
  '=1+1',
  '+A1',
  '-2+3',
  '@SUM(A1)',
  '\tcmd',
  '\rcmd',
  '"',
  '""',
  'a,b',
  'x\r\ny',
  '\n',
  '',
  ' ',
);
const text = fc
  .oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), risky)
  .filter((s) => !s.includes('\u0000'));

describe('csvField', () => {
  it('round-trips any text through a strict RFC 4180 reader, guarding formulas', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 12 }), async (values) => {
        expect(await record(values)).toEqual(values.map((v) => (/^[-=+@\t\r]/.test(v) ? `'${v}` : v)));
      }),
      { numRuns: 150 },
    );
  });

  it('leaves numbers alone, writes times as in the JSON file, objects as JSON and NULL as an empty field', async () => {
    const cells = await t.pool.one(
      sql.type(z.object({ n: z.string(), at: z.string(), o: z.string(), a: z.string(), z: z.string() }))`
        SELECT ${csvField(sql.fragment`(-5)::int8`, 'int8')} AS n,
               ${csvField(sql.fragment`'2026-11-20 08:00:00.5+00'::timestamptz`, 'timestamptz')} AS at,
               ${csvField(sql.fragment`'{"k": "=x"}'::jsonb`, 'jsonb')} AS o,
               ${csvField(sql.fragment`ARRAY['=a', 'b']`, '_text')} AS a,
               ${csvField(sql.fragment`NULL::text`, 'text')} AS z`,
    );
    expect(parseCsv(`${[cells.n, cells.at, cells.o, cells.a, cells.z].join(',')}\r\n`)).toEqual([
      ['-5', '2026-11-20T08:00:00.5+00:00', '{"k": "=x"}', '["=a", "b"]', ''],
    ]);
  });
});
