// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policy placeholders are written like template strings.
/**
 * "One rule, two uses" as a property: for random subjects, purposes and rows, the list filter
 * (`accessCondition`, evaluated by an independent evaluator) and the single check (`ability.can`)
 * agree, for every role, action and resource type. Value pools are small so that placeholders,
 * NULLs and empty strings collide often.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from '../test/evaluate-condition.js';
import {
  abilityFor,
  accessCondition,
  actions,
  asResource,
  type Condition,
  healthFields,
  loadPolicySet,
  type PolicySet,
  parsePolicySet,
  permittedFields,
  purposesOfUse,
  type ResourceType,
  resourceFields,
  resourceTypes,
  roles,
} from './index.js';

const platformPolicies = loadPolicySet();

// The platform policy has no deny rules; these exercise CASL's inverted rules and every operator.
const extraRules = `
  - role: [operator, tenant-admin, clinician, auditor]
    effect: deny
    actions: [read, update, suspend]
    resource: Device
    conditions: { dataCategory: restricted }
    description: restricted devices
  - role: [tenant-admin, operator]
    effect: deny
    actions: [decommission, activate, update]
    resource: Device
    conditions: { lifecycleState: { $nin: [active, suspended] }, siteId: { $ne: null } }
    description: lifecycle guard
  - role: [auditor, privacy-officer, data-subject]
    effect: deny
    actions: [read]
    resource: User
    conditions: { id: { $ne: '\${subject.userId}' }, tenantId: { $in: ['\${subject.tenantId}', t2] } }
    description: deny with placeholders (fails closed when unresolved)
  - role: compliance-officer
    effect: deny
    actions: [read]
    resource: Site
    description: unconditional deny
  - role: [operator, data-subject]
    actions: [read, update]
    resource: Site
    conditions: { code: { $nin: [A1] }, tenantId: { $eq: null } }
    description: allow with literals and null
  - role: data-subject
    actions: [read, create]
    resource: Tenant
    conditions: { version: { $in: [1, 2] }, slug: { $ne: alpha } }
    description: allow on an int field
  - role: clinician
    effect: deny
    actions: [read]
    resource: Device
    fields: [patientId]
    when: { purpose: [emergency] }
    description: deny with fields (row-level access unaffected)
`;
const extendedPolicies = parsePolicySet(
  readFileSync(fileURLToPath(new URL('../abac.yaml', import.meta.url)), 'utf8') + extraRules,
  'abac.yaml + test rules',
);

const subjectArb = fc.record({
  userId: fc.constantFrom('u1', 'u2', ''),
  roles: fc.subarray([...roles]),
  tenantId: fc.constantFrom('t1', 't2', null, ''),
  siteIds: fc.subarray(['s1', 's2', 's3', '']),
  patientIds: fc.subarray(['p1', 'p2', 'p3', '']),
  subjectPatientId: fc.constantFrom('p1', 'p2', null, ''),
});
const purposeArb = fc.option(fc.constantFrom(...purposesOfUse), { nil: undefined });

const valuePools: Record<string, readonly unknown[]> = {
  id: ['t1', 't2', 's1', 's2', 'u1', 'u2', 'd1', '', null],
  tenantId: ['t1', 't2', null, ''],
  siteId: ['s1', 's2', 's3', null],
  patientId: ['p1', 'p2', 'p3', null, ''],
  lifecycleState: ['active', 'suspended', 'decommissioned', null],
  dataCategory: ['health', 'telemetry', 'restricted', null],
  code: ['A1', 'B1', null],
  slug: ['alpha', 'beta', null],
  version: [1, 2, 3, null],
};

const nullable = ['tenantId', 'siteId', 'patientId'];

/** A random row of the type; fields may be missing (which CASL, like SQL NULL, treats as null). */
function rowArb(type: ResourceType): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    resourceFields[type].map((field) => [field, fc.constantFrom(...(valuePools[field] ?? ['x', null]))]),
  );
  return fc.record(fields, {
    requiredKeys: resourceFields[type].filter((field) => !nullable.includes(field)),
  });
}

const caseArb = fc.constantFrom(...resourceTypes).chain((type) =>
  fc.record({
    type: fc.constant(type),
    rows: fc.array(rowArb(type), { minLength: 1, maxLength: 8 }),
    subject: subjectArb,
    purpose: purposeArb,
  }),
);

function agree(policies: PolicySet): void {
  fc.assert(
    fc.property(caseArb, ({ type, rows, subject, purpose }) => {
      const ability = abilityFor(policies, subject, purpose ? { purpose } : {});
      for (const action of actions) {
        const condition = accessCondition(ability, action, type);
        for (const row of rows) {
          const expected = ability.can(action, asResource(type, { ...row }));
          if (evaluateCondition(condition, row) !== expected) {
            throw new Error(`${action} ${type}: condition ${JSON.stringify(condition)} disagrees with can()`);
          }
        }
      }
    }),
    { numRuns: 500 },
  );
}

/** Every value a condition compares with; the SQL side must never see '' or NULL from a subject. */
function comparedValues(condition: Condition): unknown[] {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return condition.items.flatMap(comparedValues);
    case 'not':
      return comparedValues(condition.item);
    case 'eq':
    case 'ne':
      return [condition.value];
    case 'in':
    case 'nin':
      return condition.values;
    default:
      return [];
  }
}

describe('accessCondition agrees with ability.can', () => {
  it('for the platform policy', () => agree(platformPolicies));
  it('for the platform policy plus deny rules and literal conditions', () => agree(extendedPolicies));
});

describe('safety properties of the platform policy', () => {
  it('never compares a column with a null or empty subject attribute', () => {
    fc.assert(
      fc.property(subjectArb, purposeArb, (subject, purpose) => {
        const ability = abilityFor(platformPolicies, subject, purpose ? { purpose } : {});
        for (const type of resourceTypes) {
          for (const action of actions) {
            const values = comparedValues(accessCondition(ability, action, type));
            expect(values.filter((value) => value === null || value === '')).toEqual([]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('shows health fields only to a clinician treating the patient, or to the patient', () => {
    fc.assert(
      fc.property(subjectArb, purposeArb, rowArb('Device'), (subject, purpose, row) => {
        const ability = abilityFor(platformPolicies, subject, purpose ? { purpose } : {});
        const visible = permittedFields(ability, 'read', 'Device', row);
        if (!visible.some((field) => healthFields.Device.includes(field))) return;
        const treating =
          subject.roles.includes('clinician') &&
          (purpose === 'treatment' || purpose === 'emergency') &&
          row.tenantId === subject.tenantId &&
          subject.patientIds.includes(row.patientId as string);
        const ownRecord =
          subject.roles.includes('data-subject') && row.patientId === subject.subjectPatientId;
        expect(treating || ownRecord).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
