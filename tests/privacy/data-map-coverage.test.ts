/**
 * The data map covers the schema, both ways: every column of every table the migrations create is
 * classified in policies/privacy/data-map.yaml, and every table and column the map names exists. A
 * migration that adds a column fails here until someone decides what the column holds, how it links
 * to a data subject and what erasure does to it.
 */
import { loadPrivacyDeclarations } from '@custos/policies';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

/** Tables and their columns as the migrations made them; partitions count as their parent. */
async function schemaColumns(): Promise<Map<string, Set<string>>> {
  const rows = await t.adminPool.any(sql.type(z.object({ table_name: z.string(), column_name: z.string() }))`
    SELECT c.table_name, c.column_name
    FROM information_schema.columns c
    JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
    WHERE c.table_schema = 'public' AND k.relkind IN ('r', 'p') AND NOT k.relispartition
      -- The migrator's own bookkeeping holds no data of anyone.
      AND c.table_name NOT IN ('schema_migrations')
    ORDER BY c.table_name, c.ordinal_position`);
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return tables;
}

describe('the data map', () => {
  it('classifies every column of every table in the schema', async () => {
    const { dataMap } = loadPrivacyDeclarations();
    const unclassified: string[] = [];
    for (const [table, columns] of await schemaColumns()) {
      const mapped = new Set(dataMap.tables.get(table)?.columns.map((c) => c.name) ?? []);
      for (const column of columns) if (!mapped.has(column)) unclassified.push(`${table}.${column}`);
    }
    expect(unclassified, 'columns missing from policies/privacy/data-map.yaml').toEqual([]);
  });

  it('names no table or column the schema does not have', async () => {
    const { dataMap } = loadPrivacyDeclarations();
    const schema = await schemaColumns();
    const unknown: string[] = [];
    for (const table of dataMap.tables.values()) {
      const columns = schema.get(table.name);
      if (!columns) {
        unknown.push(table.name);
        continue;
      }
      for (const column of table.columns)
        if (!columns.has(column.name)) unknown.push(`${table.name}.${column.name}`);
    }
    expect(unknown, 'entries of data-map.yaml the schema does not have').toEqual([]);
  });

  it('would catch a migration that adds an unclassified column', async () => {
    await t.adminPool.query(sql.unsafe`ALTER TABLE devices ADD COLUMN owner_phone text`);
    try {
      const { dataMap } = loadPrivacyDeclarations();
      const columns = (await schemaColumns()).get('devices') ?? new Set();
      const mapped = new Set(dataMap.tables.get('devices')?.columns.map((c) => c.name));
      expect([...columns].filter((c) => !mapped.has(c))).toEqual(['owner_phone']);
    } finally {
      await t.adminPool.query(sql.unsafe`ALTER TABLE devices DROP COLUMN owner_phone`);
    }
  });
});
