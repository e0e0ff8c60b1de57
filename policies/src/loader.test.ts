// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policy placeholders are written like template strings.
/** The loader must reject any policy it cannot apply exactly as written, naming rule and problem. */
import { describe, expect, it } from 'vitest';
import { loadPolicySet, nonHealthFields, PolicyError, parsePolicySet } from './index.js';

/** One rule in YAML, valid unless the test overrides parts of it. */
function ruleYaml(overrides: Record<string, string> = {}): string {
  const rule: Record<string, string> = {
    role: 'operator',
    actions: '[read]',
    resource: 'Device',
    description: 'test rule',
    ...overrides,
  };
  return Object.entries(rule)
    .filter(([, value]) => value !== '')
    .map(([key, value], i) => `${i === 0 ? '  - ' : '    '}${key}: ${value}`)
    .join('\n');
}

function issuesOf(yamlText: string): string[] {
  try {
    parsePolicySet(yamlText, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).issues;
  }
  throw new Error('expected the policy to be rejected');
}

const issuesOfRule = (overrides: Record<string, string>) => issuesOf(`rules:\n${ruleYaml(overrides)}\n`);

describe('loadPolicySet', () => {
  it('loads the platform policy file, every rule explained', () => {
    const policies = loadPolicySet();
    expect(policies.source).toMatch(/policies\/abac\.yaml$/);
    expect(policies.rules.length).toBeGreaterThan(10);
    for (const rule of policies.rules) expect(rule.description.length).toBeGreaterThan(10);
  });

  it('reports a missing file as a PolicyError', () => {
    expect(() => loadPolicySet('/nonexistent/abac.yaml')).toThrow(PolicyError);
  });
});

describe('parsePolicySet', () => {
  it('accepts a valid rule and fills in defaults', () => {
    const { rules } = parsePolicySet(`rules:\n${ruleYaml({ role: '[operator, auditor]' })}\n`, 'test.yaml');
    expect(rules).toEqual([
      {
        index: 0,
        roles: ['operator', 'auditor'],
        effect: 'allow',
        actions: ['read'],
        resource: 'Device',
        description: 'test rule',
      },
    ]);
  });

  it('expands fields: non-health to every field but the health-related ones', () => {
    const { rules } = parsePolicySet(`rules:\n${ruleYaml({ fields: 'non-health' })}\n`, 'test.yaml');
    expect(rules[0]?.fields).toEqual(nonHealthFields.Device);
    expect(rules[0]?.fields).not.toContain('patientId');
  });

  it('names the file and every problem in the error message', () => {
    const text = `rules:\n${ruleYaml()}\n${ruleYaml({ role: 'janitor' })}\n${ruleYaml({ resource: 'Patient' })}\n`;
    const error = (() => {
      try {
        parsePolicySet(text, 'broken.yaml');
      } catch (caught) {
        return caught as PolicyError;
      }
    })();
    expect(error?.message).toContain('broken.yaml');
    expect(error?.issues).toHaveLength(2);
    expect(error?.issues[0]).toMatch(/^rules\[1\]\.role: /);
    expect(error?.issues[1]).toMatch(/^rules\[2\]\.resource: /);
  });

  it.each([
    ['unknown role', { role: 'janitor' }, /^rules\[0\]\.role: /],
    ['unknown action', { actions: '[read, delete]' }, /^rules\[0\]\.actions\[1\]: /],
    ["CASL's manage wildcard", { actions: '[manage]' }, /^rules\[0\]\.actions\[0\]: /],
    ["CASL's all subject", { resource: 'all' }, /^rules\[0\]\.resource: /],
    ['unknown effect', { effect: 'maybe' }, /^rules\[0\]\.effect: /],
    ['unknown purpose', { when: '{ purpose: [curiosity] }' }, /^rules\[0\]\.when\.purpose\[0\]: /],
    ['missing description', { description: '' }, /^rules\[0\]\.description: /],
    ['blank description', { description: "'  '" }, /^rules\[0\]\.description: a description/],
    ['misspelt key', { action: '[read]' }, /^rules\[0\]: Unrecognized key: "action"/],
    ['empty field list', { fields: '[]' }, /^rules\[0\]\.fields: /],
    [
      'unknown field in fields',
      { fields: '[id, colour]' },
      /^rules\[0\]\.fields: Device has no field "colour"$/,
    ],
    [
      'unknown field in conditions',
      { conditions: '{ colour: red }' },
      /^rules\[0\]\.conditions\.colour: Device has no field "colour"$/,
    ],
    ['field of another resource', { conditions: '{ slug: x }' }, /Device has no field "slug"/],
    [
      'json field in conditions',
      { conditions: '{ labels: x }' },
      /conditions\.labels: json field "labels" cannot be used/,
    ],
    [
      'timestamp field in conditions',
      { conditions: '{ createdAt: x }' },
      /timestamp field "createdAt" cannot be used/,
    ],
    [
      'unsupported operator',
      { conditions: '{ model: { $regex: "^X" } }' },
      /conditions\.model: operator \$regex is not supported/,
    ],
    ['top-level $or', { conditions: '{ $or: [] }' }, /conditions\.\$or: operator \$or is not supported/],
    ['empty operator object', { conditions: '{ model: {} }' }, /conditions\.model: empty operator object/],
    [
      'unknown placeholder',
      { conditions: "{ tenantId: '${subject.email}' }" },
      /unknown placeholder "\$\{subject\.email\}"/,
    ],
    ['spliced placeholder', { conditions: "{ model: 'x-${subject.tenantId}' }" }, /unknown placeholder/],
    ['placeholder without subject.', { conditions: "{ tenantId: '${tenantId}' }" }, /unknown placeholder/],
    [
      'list placeholder as a value',
      { conditions: "{ siteId: '${subject.siteIds}' }" },
      /only allowed as \$in\/\$nin/,
    ],
    [
      'scalar placeholder as a list',
      { conditions: "{ siteId: { $in: '${subject.tenantId}' } }" },
      /expected a list or a list placeholder/,
    ],
    [
      'placeholder on an int field',
      { conditions: "{ version: '${subject.userId}' }" },
      /string cannot be compared with int4 field "version"/,
    ],
    ['string on an int field', { conditions: "{ version: '3' }" }, /int4 field "version"/],
    ['number on a uuid field', { conditions: '{ tenantId: 3 }' }, /3 does not fit uuid field "tenantId"/],
    [
      'boolean on a text field',
      { conditions: '{ model: true }' },
      /boolean cannot be compared with text field "model"/,
    ],
    [
      'null in a list',
      { conditions: '{ patientId: { $in: [null] } }' },
      /\$in\[0\]: lists may hold only strings and numbers/,
    ],
    [
      'object as a value',
      { conditions: '{ model: [a, b] }' },
      /conditions\.model: expected a string, number, boolean or null/,
    ],
  ])('rejects %s', (_name, overrides, expected) => {
    const issues = issuesOfRule(overrides);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(expected);
  });

  it('accepts every supported condition form', () => {
    const conditions = `{ tenantId: '\${subject.tenantId}', siteId: { $in: '\${subject.siteIds}' }, patientId: { $ne: null, $nin: [p1, '\${subject.subjectPatientId}'] }, model: { $eq: X } }`;
    const { rules } = parsePolicySet(`rules:\n${ruleYaml({ conditions })}\n`, 'test.yaml');
    expect(rules[0]?.conditions).toMatchObject({ siteId: { $in: '${subject.siteIds}' } });
  });

  it.each([
    ['not YAML', 'rules: [', /^not valid YAML/],
    ['no rules', 'policies: []', /^\(file\): Unrecognized key|^rules: /],
    ['empty rules', 'rules: []', /^rules: /],
    ['a rule that is not a mapping', 'rules: [read]', /^rules\[0\]: /],
  ])('rejects a file with %s', (_name, text, expected) => {
    expect(issuesOf(text)[0]).toMatch(expected);
  });
});
