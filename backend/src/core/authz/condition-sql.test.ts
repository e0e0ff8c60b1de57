// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policy placeholders are written like template strings.
/** The generated SQL, text and bound values, for every kind of condition and its NULL cases. */
import {
  abilityFor,
  accessCondition,
  type Condition,
  parsePolicySet,
  type SubjectAttributes,
} from '@custos/policies';
import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { type ColumnMap, conditionToSql } from './condition-sql.js';

const columns: ColumnMap = {
  id: { column: 'd.id', type: 'uuid' },
  tenantId: { column: 'd.tenant_id', type: 'uuid' },
  siteId: { column: 'd.site_id', type: 'uuid' },
  model: { column: 'd.model', type: 'text' },
  version: { column: 'version', type: 'int4' },
  active: { column: 'd.active', type: 'bool' },
  // A derived field: an expression over the row (see processing-flags.ts).
  restricted: {
    expression: sql.fragment`EXISTS (SELECT 1 FROM r WHERE r.x = d.x AND r.k = ${'restriction'})`,
    type: 'bool',
  },
};

const T1 = '0b7c8a9e-1f2d-4c3b-9a8e-000000000001';
const T2 = '0b7c8a9e-1f2d-4c3b-9a8e-000000000002';

/** SQL text with slonik's numbered placeholders, and the bound values. */
function render(condition: Condition) {
  const { sql, values } = conditionToSql(condition, columns);
  return { sql, values };
}

describe('conditionToSql', () => {
  it.each<[string, Condition, string, unknown[]]>([
    ['true', { kind: 'true' }, 'TRUE', []],
    ['false', { kind: 'false' }, 'FALSE', []],
    ['eq', { kind: 'eq', field: 'tenantId', value: T1 }, '"d"."tenant_id" = $slonik_1', [T1]],
    [
      'eq text',
      { kind: 'eq', field: 'model', value: "x'; DROP TABLE d; --" },
      '"d"."model" = $slonik_1',
      ["x'; DROP TABLE d; --"],
    ],
    ['eq int', { kind: 'eq', field: 'version', value: 3 }, '"version" = $slonik_1', [3]],
    ['eq bool', { kind: 'eq', field: 'active', value: true }, '"d"."active" = $slonik_1', [true]],
    [
      'eq derived',
      { kind: 'eq', field: 'restricted', value: false },
      '(EXISTS (SELECT 1 FROM r WHERE r.x = d.x AND r.k = $slonik_1)) = $slonik_2',
      ['restriction', false],
    ],
    [
      'not derived',
      { kind: 'not', item: { kind: 'eq', field: 'restricted', value: true } },
      '((EXISTS (SELECT 1 FROM r WHERE r.x = d.x AND r.k = $slonik_1)) = $slonik_2) IS NOT TRUE',
      ['restriction', true],
    ],
    ['eq null', { kind: 'eq', field: 'siteId', value: null }, '"d"."site_id" IS NULL', []],
    ['ne', { kind: 'ne', field: 'model', value: 'X' }, '"d"."model" IS DISTINCT FROM $slonik_1', ['X']],
    ['ne null', { kind: 'ne', field: 'siteId', value: null }, '"d"."site_id" IS NOT NULL', []],
    [
      'in',
      { kind: 'in', field: 'siteId', values: [T1, T2] },
      '"d"."site_id" = ANY($slonik_1::"uuid"[])',
      [[T1, T2]],
    ],
    [
      'in int',
      { kind: 'in', field: 'version', values: [1, 2] },
      '"version" = ANY($slonik_1::"int4"[])',
      [[1, 2]],
    ],
    ['in empty', { kind: 'in', field: 'siteId', values: [] }, 'FALSE', []],
    [
      'nin',
      { kind: 'nin', field: 'model', values: ['A', 'B'] },
      '("d"."model" = ANY($slonik_1::"text"[])) IS NOT TRUE',
      [['A', 'B']],
    ],
    ['nin empty', { kind: 'nin', field: 'model', values: [] }, 'TRUE', []],
    [
      'not',
      { kind: 'not', item: { kind: 'eq', field: 'siteId', value: T1 } },
      '("d"."site_id" = $slonik_1) IS NOT TRUE',
      [T1],
    ],
    ['empty and', { kind: 'and', items: [] }, 'TRUE', []],
    ['empty or', { kind: 'or', items: [] }, 'FALSE', []],
  ])('%s', (_name, condition, sql, values) => {
    expect(render(condition)).toEqual({ sql, values });
  });

  it('nests and/or/not with parentheses and numbers values in order', () => {
    const condition: Condition = {
      kind: 'or',
      items: [
        {
          kind: 'and',
          items: [
            { kind: 'eq', field: 'tenantId', value: T1 },
            {
              kind: 'not',
              item: { kind: 'or', items: [{ kind: 'eq', field: 'model', value: 'X' }, { kind: 'false' }] },
            },
          ],
        },
        { kind: 'in', field: 'id', values: [T2] },
      ],
    };
    expect(render(condition)).toEqual({
      sql:
        '(("d"."tenant_id" = $slonik_1 AND (("d"."model" = $slonik_2 OR FALSE)) IS NOT TRUE)' +
        ' OR "d"."id" = ANY($slonik_3::"uuid"[]))',
      values: [T1, 'X', [T2]],
    });
  });

  it('treats a uuid no row can hold (malformed, upper case) as matching nothing, like CASL', () => {
    expect(render({ kind: 'eq', field: 'id', value: 'not-a-uuid' })).toEqual({ sql: 'FALSE', values: [] });
    expect(render({ kind: 'ne', field: 'id', value: T1.toUpperCase() })).toEqual({ sql: 'TRUE', values: [] });
    expect(render({ kind: 'in', field: 'id', values: ['u1', T1] })).toEqual({
      sql: '"d"."id" = ANY($slonik_1::"uuid"[])',
      values: [[T1]],
    });
    expect(render({ kind: 'nin', field: 'id', values: ['u1'] })).toEqual({ sql: 'TRUE', values: [] });
  });

  it('throws on a field without a column (a programming error, never a silent TRUE)', () => {
    expect(() => render({ kind: 'eq', field: 'patientId', value: T1 })).toThrow(
      /No column is mapped for field "patientId"/,
    );
    expect(() => render({ kind: 'eq', field: 'constructor', value: T1 })).toThrow(/No column is mapped/);
    expect(() => render({ kind: 'not', item: { kind: 'in', field: 'colour', values: [] } })).toThrow(
      /"colour"/,
    );
  });

  it('throws when a value does not fit its column type', () => {
    expect(() => render({ kind: 'eq', field: 'version', value: '3' })).toThrow(/int4 column/);
    expect(() => render({ kind: 'eq', field: 'version', value: 1.5 })).toThrow(/int4 column/);
    expect(() => render({ kind: 'in', field: 'model', values: [1] })).toThrow(/text column/);
    expect(() => render({ kind: 'ne', field: 'active', value: 'yes' })).toThrow(/bool column/);
  });

  it('translates what the policy library produces for a real rule set', () => {
    const policies = parsePolicySet(
      [
        'rules:',
        '  - role: operator',
        '    actions: [read]',
        '    resource: Device',
        "    conditions: { tenantId: '${subject.tenantId}', siteId: { $in: '${subject.siteIds}' } }",
        '    description: assigned sites',
        '  - role: operator',
        '    effect: deny',
        '    actions: [read]',
        '    resource: Device',
        '    conditions: { model: { $ne: legacy } }',
        '    description: only legacy models',
      ].join('\n'),
      'test.yaml',
    );
    const subject: SubjectAttributes = {
      userId: T1,
      roles: ['operator'],
      tenantId: T1,
      siteIds: [T2],
      patientIds: [],
      subjectPatientId: null,
    };
    const condition = accessCondition(abilityFor(policies, subject, {}), 'read', 'Device');
    expect(render(condition)).toEqual({
      sql:
        '("d"."tenant_id" = $slonik_1 AND "d"."site_id" = ANY($slonik_2::"uuid"[])' +
        ' AND ("d"."model" IS DISTINCT FROM $slonik_3) IS NOT TRUE)',
      values: [T1, [T2], 'legacy'],
    });
  });
});
