/** Runs authorization tables: one vitest case per (caller, column) cell, each with its own fixture. */
import { describe, expect, it } from 'vitest';
import type { TestApp, TestResponse } from '../../support/test-app.js';
import {
  as,
  type Caller,
  callers,
  cells,
  countWhere,
  expectProblem,
  removeAfterTest,
  rowSnapshot,
  rowVersion,
  type TableName,
} from './fixtures.js';

export type Status = 200 | 201 | 401 | 403 | 404;
export type Table<C extends string> = Record<Caller, Record<C, Status>>;

/** A table where one role may do it in one column; everyone else gets `denied`, anonymous 401. */
export function only<C extends string>(
  role: Caller,
  status: Status,
  denied: Record<C, Status>,
  column: NoInfer<C>,
): Table<C> {
  const row = (caller: Caller) =>
    Object.fromEntries(Object.entries(denied).map(([k, s]) => [k, caller === 'anonymous' ? 401 : s]));
  return Object.fromEntries(
    callers.map((c) => [c, c === role ? { ...row(c), [column]: status } : row(c)]),
  ) as Table<C>;
}

export interface Attempt {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  permission: string;
  /** The existing row the call is about: never revealed by a 404, unchanged by a refused change. */
  target?: { table: TableName; id: string; reveals: string[] };
  /** For creations: the unique value a refused create must not have written. */
  creates?: { table: TableName; column: string; value: string };
  onSuccess?: (res: TestResponse) => void;
}

export async function attempt(t: TestApp, caller: Caller, expected: Status, a: Attempt): Promise<void> {
  const before = a.target ? await rowSnapshot(t, a.target.table, a.target.id) : null;
  const res = await t.request(a.method, a.url, { ...as(caller), body: a.body, headers: a.headers });
  if (res.status === 201 && a.creates) removeAfterTest(t, a.creates.table, res.body.id);
  expect(res.status, res.text).toBe(expected);
  if (expected < 300) {
    a.onSuccess?.(res);
    if (a.method !== 'GET' && a.target && before) {
      expect(await rowVersion(t, a.target.table, a.target.id)).toBe(JSON.parse(before).version + 1);
    }
    return;
  }
  expectProblem(res, expected);
  if (expected === 401) expect(res.body.code).toBe('unauthenticated');
  if (expected === 403) expect(res.body).toMatchObject({ code: 'forbidden', permission: a.permission });
  if (expected === 404) {
    expect(res.body.code).toBe('not_found');
    for (const secret of a.target?.reveals ?? []) expect(res.text).not.toContain(secret);
  }
  // A refused change leaves the row exactly as it was (every column but last_seen_at).
  if (a.method !== 'GET' && a.target) expect(await rowSnapshot(t, a.target.table, a.target.id)).toBe(before);
  if (a.creates) expect(await countWhere(t, a.creates.table, a.creates.column, a.creates.value)).toBe(0);
}

/** `matrix(title, table, prepare)`: a describe with one `it` per cell, named `<caller> on <column> → <status>`. */
export function matrixFor(app: () => TestApp) {
  return <C extends string>(
    title: string,
    table: Table<C>,
    prepare: (column: C, caller: Caller) => Promise<Attempt>,
  ) =>
    describe(title, () => {
      it.each(cells(table))('%s on %s → %i', async (caller, column, status) => {
        await attempt(app(), caller, status, await prepare(column, caller));
      });
    });
}
