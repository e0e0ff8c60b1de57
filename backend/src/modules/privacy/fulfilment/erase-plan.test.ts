/** What erasure does per table, read from the real data map: order, values written, and what stays. */
import { loadPrivacyDeclarations } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { anonymiseSet, erasureOrder, notYetAnonymised } from './erase-plan.js';

const { dataMap } = loadPrivacyDeclarations();
const table = (name: string) => {
  const found = dataMap.tables.get(name);
  if (!found) throw new Error(name);
  return found;
};

describe('erasureOrder', () => {
  const order = erasureOrder(dataMap).map((t) => t.name);

  it('covers exactly the tables that are deleted from or anonymised', () => {
    const expected = dataMap
      .subjectTables()
      .filter((t) => t.erasure === 'delete' || t.erasure === 'anonymise')
      .map((t) => t.name);
    expect([...order].sort()).toEqual([...expected].sort());
    expect(order).not.toContain('consent_records'); // keep
    expect(order).not.toContain('audit_events'); // crypto-shred
  });

  it('erases rows found through another table before that table loses its link', () => {
    const before = (a: string, b: string) =>
      expect(order.indexOf(a), `${a} before ${b}`).toBeLessThan(order.indexOf(b));
    before('device_state', 'devices');
    before('privacy_request_codes', 'privacy_requests');
    before('privacy_request_files', 'privacy_requests');
  });
});

describe('anonymisation', () => {
  it('writes the data map’s values, the row id into {id}, and bumps the version', () => {
    const set = anonymiseSet(table('users'), 't');
    expect(set.sql).toContain('"external_id" = replace($slonik_1::text, \'{id}\', "t"."id"::text)');
    expect(set.sql).toContain('"display_name" = NULL');
    expect(set.sql).toContain('version = "t"."version" + 1');
    expect(set.values).toEqual(expect.arrayContaining(['erased:{id}', 'erased-{id}', '{}']));
  });

  it('never overwrites a column the data map keeps', () => {
    const set = anonymiseSet(table('privacy_requests'), 't').sql;
    expect(set).toContain('"contact_email" = NULL');
    expect(set).not.toContain('subject_patient_id');
    expect(set).not.toContain('subject_user_id');
  });

  it('tells an anonymised row from one still to do, column by column', () => {
    const todo = notYetAnonymised(table('patients'), 't');
    expect(todo.sql).toBe('("t"."code" IS DISTINCT FROM replace($slonik_1::text, \'{id}\', "t"."id"::text))');
    expect(todo.values).toEqual(['erased-{id}']);
  });
});
