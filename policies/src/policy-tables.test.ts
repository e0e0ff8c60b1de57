/**
 * Runs the decision tables in `policies/tables/*.yaml`: each row (subject, action, resource,
 * purpose → allow/deny and visible fields) is its own test, so a failing row is named in the
 * report. Reviewers read the tables as the specification; this file only executes them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { evaluateCondition } from '../test/evaluate-condition.js';
import {
  abilityFor,
  accessCondition,
  actions,
  asResource,
  loadPolicySet,
  permittedFields,
  purposesOfUse,
  type ResourceType,
  resourceFields,
  resourceTypes,
  roles,
} from './index.js';

const tablesDir = fileURLToPath(new URL('../tables/', import.meta.url));
// Merge keys (`<<: *device`) let fixtures state only what differs from a base resource.
const readYaml = (name: string): unknown =>
  parse(readFileSync(`${tablesDir}${name}`, 'utf8'), { merge: true });

const subjectSchema = z.strictObject({
  userId: z.string(),
  roles: z.array(z.enum(roles)),
  tenantId: z.string().nullable(),
  siteIds: z.array(z.string()).default([]),
  patientIds: z.array(z.string()).default([]),
  subjectPatientId: z.string().nullable().default(null),
});
// A resource names its type in `type`, or in `resourceType` when it has a field called `type` itself
// (a PrivacyRequest's type of request).
const resourceSchema = z.union([
  z.looseObject({ resourceType: z.enum(resourceTypes) }),
  z.looseObject({ type: z.enum(resourceTypes) }),
]);
type ResourceFixture = z.infer<typeof resourceSchema>;

function splitResource(resource: Record<string, unknown>): {
  type: ResourceType;
  data: Record<string, unknown>;
} {
  if ('resourceType' in resource) {
    const { resourceType, ...data } = resource;
    return { type: resourceType as ResourceType, data };
  }
  const { type, ...data } = resource;
  return { type: type as ResourceType, data };
}
const fixturesSchema = z.strictObject({
  subjects: z.record(z.string(), subjectSchema),
  resources: z.record(z.string(), resourceSchema),
});
const rowSchema = z.strictObject({
  action: z.enum(actions),
  // A fixture name, or a fixture (`base`) with some attributes overridden.
  resource: z.union([z.string(), z.looseObject({ base: z.string() })]),
  purpose: z.enum(purposesOfUse).optional(),
  expect: z.enum(['allow', 'deny']),
  fields: z.array(z.string()).optional(),
  note: z.string().optional(),
});
const tableSchema = z.strictObject({
  // Named field lists, referenced from rows with YAML aliases (*non-health).
  fieldSets: z.unknown().optional(),
  cases: z.array(z.strictObject({ subject: z.string(), rows: z.array(rowSchema).min(1) })).min(1),
});
type Row = z.infer<typeof rowSchema> & { subject: string };

/** Parses a table file, failing with a readable message that names the file and the row. */
function parseFile<T>(schema: z.ZodType<T>, name: string): T {
  const result = schema.safeParse(readYaml(name));
  if (!result.success) throw new Error(`tables/${name} is malformed:\n${z.prettifyError(result.error)}`);
  return result.data;
}

const fixtures = parseFile(fixturesSchema, 'fixtures.yaml');
const policies = loadPolicySet();

function fixture<T>(kind: string, map: Record<string, T>, name: string): T {
  const found = map[name];
  if (!found) throw new Error(`fixtures.yaml has no ${kind} "${name}"`);
  return found;
}

function resourceOf(row: Row): { type: ResourceType; data: Record<string, unknown> } {
  const { base, ...overrides } = typeof row.resource === 'string' ? { base: row.resource } : row.resource;
  return splitResource({ ...fixture<ResourceFixture>('resource', fixtures.resources, base), ...overrides });
}

function title(row: Row): string {
  const resource = typeof row.resource === 'string' ? row.resource : `${row.resource.base}*`;
  const purpose = row.purpose ? ` for ${row.purpose}` : '';
  const note = row.note ? ` (${row.note})` : '';
  return `${row.subject} ${row.action} ${resource}${purpose} → ${row.expect}${note}`;
}

describe('fixtures', () => {
  it.each(Object.entries(fixtures.resources))('%s has exactly the fields of its type', (_name, resource) => {
    const { type, data } = splitResource(resource);
    expect(Object.keys(data).sort()).toEqual([...resourceFields[type]].sort());
  });
});

const tableFiles = readdirSync(tablesDir)
  .filter((name) => name.endsWith('.yaml') && name !== 'fixtures.yaml')
  .sort();

it('has a table for every resource type', () => {
  expect(tableFiles).toEqual(resourceTypes.map((type) => `${type.toLowerCase()}.yaml`).sort());
});

for (const file of tableFiles) {
  const table = parseFile(tableSchema, file);
  const rows: Row[] = table.cases.flatMap(({ subject, rows }) => rows.map((row) => ({ subject, ...row })));

  describe(file, () => {
    it.each(rows.map((row) => [title(row), row] as const))('%s', (_title, row) => {
      const subject = fixture('subject', fixtures.subjects, row.subject);
      const { type, data } = resourceOf(row);
      const ability = abilityFor(policies, subject, row.purpose ? { purpose: row.purpose } : {});

      expect(ability.can(row.action, asResource(type, { ...data }))).toBe(row.expect === 'allow');
      // The list filter must reach the same verdict as the single check.
      expect(evaluateCondition(accessCondition(ability, row.action, type), data)).toBe(
        row.expect === 'allow',
      );
      if (row.fields) {
        expect(permittedFields(ability, row.action, type, data).sort()).toEqual([...row.fields].sort());
      }
      if (row.expect === 'deny') expect(permittedFields(ability, row.action, type, data)).toEqual([]);
    });

    it('has a row for every role', () => {
      const covered = new Set(
        rows.flatMap((row) => fixture('subject', fixtures.subjects, row.subject).roles),
      );
      expect(roles.filter((role) => !covered.has(role))).toEqual([]);
    });

    it('has no duplicate rows', () => {
      const titles = rows.map((row) => JSON.stringify([row.subject, row.action, row.resource, row.purpose]));
      expect(titles.filter((t, i) => titles.indexOf(t) !== i)).toEqual([]);
    });
  });
}
