// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policy placeholders are written like template strings.
/** Unit tests of how rules become abilities: priority, placeholders, purpose, fields, conditions. */
import { describe, expect, it } from 'vitest';
import {
  abilityFor,
  accessCondition,
  asResource,
  nonHealthFields,
  type PolicySet,
  parsePolicySet,
  permissionName,
  permittedFields,
  pickPermittedFields,
  resourceFields,
  type SubjectAttributes,
} from './index.js';

const operator: SubjectAttributes = {
  userId: 'u1',
  roles: ['operator'],
  tenantId: 't1',
  siteIds: ['s1'],
  patientIds: [],
  subjectPatientId: null,
};

function policy(rules: string): PolicySet {
  return parsePolicySet(`rules:\n${rules}`, 'test.yaml');
}

const device = (attributes: Record<string, unknown> = {}) => ({
  id: 'd1',
  tenantId: 't1',
  siteId: 's1',
  patientId: 'p1',
  lifecycleState: 'active',
  ...attributes,
});

const readOwnTenant = `
  - role: operator
    actions: [read, update]
    resource: Device
    conditions: { tenantId: '\${subject.tenantId}' }
    description: allow`;

describe('abilityFor', () => {
  it('denies by default: no rule, or an untagged object', () => {
    const ability = abilityFor(policy(readOwnTenant), { ...operator, roles: ['auditor'] }, {});
    expect(ability.can('read', asResource('Device', device()))).toBe(false);
    const own = abilityFor(policy(readOwnTenant), operator, {});
    expect(own.can('read', device())).toBe(false);
    expect(own.can('read', asResource('Device', device()))).toBe(true);
  });

  it('lets deny win over allow wherever it stands in the file', () => {
    const deny = `
  - role: operator
    effect: deny
    actions: [update]
    resource: Device
    conditions: { lifecycleState: { $ne: active } }
    description: deny`;
    for (const rules of [readOwnTenant + deny, deny + readOwnTenant]) {
      const ability = abilityFor(policy(rules), operator, {});
      expect(ability.can('update', asResource('Device', device()))).toBe(true);
      expect(ability.can('update', asResource('Device', device({ lifecycleState: 'suspended' })))).toBe(
        false,
      );
      expect(ability.can('update', asResource('Device', device({ lifecycleState: null })))).toBe(false);
      expect(ability.can('read', asResource('Device', device({ lifecycleState: 'suspended' })))).toBe(true);
    }
  });

  it('drops an allow rule whose placeholder the subject cannot fill', () => {
    for (const tenantId of [null, '']) {
      const ability = abilityFor(policy(readOwnTenant), { ...operator, tenantId }, {});
      expect(ability.can('read', asResource('Device', device({ tenantId })))).toBe(false);
      expect(accessCondition(ability, 'read', 'Device')).toEqual({ kind: 'false' });
    }
  });

  it('drops an allow rule whose list placeholder holds an empty value', () => {
    const rules = `
  - role: operator
    actions: [read]
    resource: Device
    conditions: { siteId: { $nin: '\${subject.siteIds}' } }
    description: allow`;
    const ability = abilityFor(policy(rules), { ...operator, siteIds: ['s1', ''] }, {});
    expect(ability.can('read', asResource('Device', device({ siteId: 's2' })))).toBe(false);
  });

  it('makes a deny rule with an unfillable placeholder fail closed (unconditional)', () => {
    const rules = `${readOwnTenant}
  - role: operator
    effect: deny
    actions: [update]
    resource: Device
    conditions: { patientId: '\${subject.subjectPatientId}' }
    description: deny`;
    const ability = abilityFor(policy(rules), operator, {});
    expect(ability.can('read', asResource('Device', device()))).toBe(true);
    expect(ability.can('update', asResource('Device', device()))).toBe(false);
    expect(accessCondition(ability, 'update', 'Device')).toEqual({ kind: 'false' });
  });

  it('applies a `when` rule only for a listed purpose', () => {
    const rules = `${readOwnTenant}
  - role: operator
    actions: [suspend]
    resource: Device
    when: { purpose: [emergency] }
    description: emergency`;
    const set = policy(rules);
    expect(abilityFor(set, operator, {}).can('suspend', 'Device')).toBe(false);
    expect(abilityFor(set, operator, { purpose: 'treatment' }).can('suspend', 'Device')).toBe(false);
    expect(abilityFor(set, operator, { purpose: 'emergency' }).can('suspend', 'Device')).toBe(true);
  });
});

describe('fields', () => {
  const rules = `
  - role: operator
    actions: [read]
    resource: Device
    conditions: { tenantId: '\${subject.tenantId}' }
    fields: non-health
    description: without health
  - role: operator
    actions: [read]
    resource: Device
    conditions: { patientId: { $in: '\${subject.patientIds}' } }
    fields: [id, patientId]
    description: care`;
  const ability = abilityFor(policy(rules), { ...operator, patientIds: ['p1'] }, {});
  // What the two rules show together: every field but the other health-related ones.
  const union = resourceFields.Device.filter(
    (field) => field === 'patientId' || nonHealthFields.Device.includes(field),
  );

  it('unions the fields of every matching rule, in API order', () => {
    expect(permittedFields(ability, 'read', 'Device', device())).toEqual(union);
    expect(permittedFields(ability, 'read', 'Device', device({ patientId: 'p2' }))).toEqual(
      nonHealthFields.Device,
    );
    expect(permittedFields(ability, 'read', 'Device', device({ tenantId: 't2' }))).toEqual([
      'id',
      'patientId',
    ]);
    expect(permittedFields(ability, 'read', 'Device', device({ tenantId: 't2', patientId: 'p2' }))).toEqual(
      [],
    );
  });

  it('without a resource, lists every field any rule may show', () => {
    expect(permittedFields(ability, 'read', 'Device')).toEqual(union);
    expect(permittedFields(ability, 'update', 'Device')).toEqual([]);
  });

  it('picks permitted fields without touching the (possibly frozen) input', () => {
    const row = Object.freeze(device({ patientId: 'p2', extra: 'x' }));
    expect(pickPermittedFields(ability, 'read', 'Device', row)).toEqual({
      id: 'd1',
      tenantId: 't1',
      siteId: 's1',
      lifecycleState: 'active',
    });
    expect(
      pickPermittedFields(ability, 'read', 'Device', device({ tenantId: 't2', patientId: 'p9' })),
    ).toEqual({});
  });

  it('hides fields named by a deny rule', () => {
    const deny = `${readOwnTenant}
  - role: operator
    effect: deny
    actions: [read]
    resource: Device
    fields: [patientId]
    description: hide`;
    const denied = abilityFor(policy(deny), operator, {});
    expect(denied.can('read', asResource('Device', device()))).toBe(true);
    expect(permittedFields(denied, 'read', 'Device', device())).toEqual(
      resourceFields.Device.filter((field) => field !== 'patientId'),
    );
  });
});

describe('accessCondition', () => {
  it('is false without rules and true for an unconditional rule', () => {
    const rules = `
  - role: operator
    actions: [read]
    resource: Site
    description: all sites`;
    const ability = abilityFor(policy(rules), operator, {});
    expect(accessCondition(ability, 'read', 'Site')).toEqual({ kind: 'true' });
    expect(accessCondition(ability, 'update', 'Site')).toEqual({ kind: 'false' });
    expect(accessCondition(ability, 'read', 'Device')).toEqual({ kind: 'false' });
  });

  it('bounds allow rules by the deny rules that outrank them, and drops repeats', () => {
    const rules = `${readOwnTenant}${readOwnTenant.replace('[read, update]', '[read]')}
  - role: operator
    effect: deny
    actions: [read]
    resource: Device
    conditions: { siteId: { $nin: [s1, s2] }, lifecycleState: decommissioned }
    description: deny`;
    const ability = abilityFor(policy(rules), operator, {});
    expect(accessCondition(ability, 'read', 'Device')).toEqual({
      kind: 'and',
      items: [
        { kind: 'eq', field: 'tenantId', value: 't1' },
        {
          kind: 'not',
          item: {
            kind: 'and',
            items: [
              { kind: 'nin', field: 'siteId', values: ['s1', 's2'] },
              { kind: 'eq', field: 'lifecycleState', value: 'decommissioned' },
            ],
          },
        },
      ],
    });
  });

  it('is false when an unconditional deny outranks every allow', () => {
    const rules = `${readOwnTenant}
  - role: operator
    effect: deny
    actions: [read]
    resource: Device
    description: deny`;
    expect(accessCondition(abilityFor(policy(rules), operator, {}), 'read', 'Device')).toEqual({
      kind: 'false',
    });
  });
});

it('names permissions as action:Resource', () => {
  expect(permissionName('read', 'Device')).toBe('read:Device');
});
