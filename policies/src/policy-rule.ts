/**
 * The shape of one policy rule, checked in two passes: zod for structure, then checks that need
 * the resource model (field names, field kinds, placeholders). Both report problems as strings
 * prefixed with the rule's position, so a bad file names exactly what to fix.
 */
import { z } from 'zod';
import {
  type Action,
  actions,
  type PurposeOfUse,
  purposesOfUse,
  type ResourceType,
  type Role,
  resourceTypes,
  roles,
} from './model.js';
import { mentionsPlaceholder, parsePlaceholder } from './placeholders.js';
import { fieldKind, isConditionKind, nonHealthFields, resourceFields } from './resources.js';

export type ScalarValue = string | number | boolean | null;
export interface OperatorCondition {
  $eq?: ScalarValue;
  $ne?: ScalarValue;
  $in?: readonly (string | number)[] | string;
  $nin?: readonly (string | number)[] | string;
}
/** Plain equality or an operator object, as in a MongoDB / CASL query. */
export type FieldCondition = ScalarValue | OperatorCondition;

export interface PolicyRule {
  /** Position in the file, for error messages and docs. */
  readonly index: number;
  readonly roles: readonly Role[];
  readonly effect: 'allow' | 'deny';
  readonly actions: readonly Action[];
  readonly resource: ResourceType;
  /** Conditions on the resource's fields; values may still contain `${subject.*}` placeholders. */
  readonly conditions?: Readonly<Record<string, FieldCondition>>;
  /** Whitelist of visible fields, expanded (`non-health` is resolved at load); absent = all. */
  readonly fields?: readonly string[];
  /** The rule applies only when the request declares one of these purposes. */
  readonly when?: { readonly purpose: readonly PurposeOfUse[] };
  readonly description: string;
}

const ruleSchema = z.strictObject({
  // One role or several: a rule shared by many roles is written once.
  role: z.union([z.enum(roles), z.array(z.enum(roles)).min(1)], {
    error: `expected a role or a non-empty list of roles (${roles.join(', ')})`,
  }),
  effect: z.enum(['allow', 'deny']).default('allow'),
  actions: z.array(z.enum(actions)).min(1),
  resource: z.enum(resourceTypes),
  // Values are checked against the resource model below, where the messages can be precise.
  conditions: z.record(z.string(), z.unknown()).optional(),
  fields: z.union([z.literal('non-health'), z.array(z.string()).min(1)]).optional(),
  when: z.strictObject({ purpose: z.array(z.enum(purposesOfUse)).min(1) }).optional(),
  description: z.string().trim().min(1, 'a description saying why the rule exists is required'),
});

export const policyFileSchema = z.strictObject({ rules: z.array(z.unknown()).min(1) });

const operators = ['$eq', '$ne', '$in', '$nin'] as const;

/** Checks one literal or placeholder against the kind of the field it is compared with. */
function checkScalar(type: ResourceType, field: string, value: unknown, where: string): string[] {
  const kind = fieldKind(type, field);
  if (value === null) return [];
  if (typeof value === 'string') {
    if (mentionsPlaceholder(value)) {
      const placeholder = parsePlaceholder(value);
      if (!placeholder) return [`${where}: unknown placeholder "${value}"`];
      if (placeholder.kind === 'list')
        return [`${where}: list placeholder "${value}" is only allowed as $in/$nin`];
    }
    return kind === 'uuid' || kind === 'text'
      ? []
      : [`${where}: a string cannot be compared with ${kind} field "${field}"`];
  }
  if (typeof value === 'number') {
    return kind === 'int4' && Number.isInteger(value)
      ? []
      : [`${where}: ${value} does not fit ${kind} field "${field}"`];
  }
  if (typeof value === 'boolean') {
    return kind === 'bool' ? [] : [`${where}: a boolean cannot be compared with ${kind} field "${field}"`];
  }
  return [`${where}: expected a string, number, boolean or null`];
}

function checkList(type: ResourceType, field: string, value: unknown, where: string): string[] {
  if (typeof value === 'string') {
    const placeholder = parsePlaceholder(value);
    if (placeholder?.kind === 'list')
      return fieldKind(type, field) === 'uuid' || fieldKind(type, field) === 'text'
        ? []
        : [`${where}: "${value}" cannot be compared with field "${field}"`];
    return [`${where}: expected a list or a list placeholder, got "${value}"`];
  }
  if (!Array.isArray(value)) return [`${where}: expected a list`];
  return value.flatMap((item, i) =>
    // NULL never equals anything in SQL, so `$in: [null]` would mean different things in memory
    // and in the database; write `$eq: null` instead.
    item === null || typeof item === 'boolean'
      ? [`${where}[${i}]: lists may hold only strings and numbers (use $eq: null for NULL)`]
      : checkScalar(type, field, item, `${where}[${i}]`),
  );
}

function checkConditions(type: ResourceType, conditions: Record<string, unknown>): string[] {
  return Object.entries(conditions).flatMap(([field, value]) => {
    const where = `conditions.${field}`;
    if (field.startsWith('$'))
      return [`${where}: operator ${field} is not supported (conditions are ANDed field tests)`];
    const kind = fieldKind(type, field);
    if (!kind) return [`${where}: ${type} has no field "${field}"`];
    if (!isConditionKind(kind)) return [`${where}: ${kind} field "${field}" cannot be used in conditions`];
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return checkScalar(type, field, value, where);
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${where}: empty operator object`];
    return entries.flatMap(([op, operand]) => {
      if (!(operators as readonly string[]).includes(op))
        return [`${where}: operator ${op} is not supported (use ${operators.join(' ')})`];
      return op === '$in' || op === '$nin'
        ? checkList(type, field, operand, `${where}.${op}`)
        : checkScalar(type, field, operand, `${where}.${op}`);
    });
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
}

/** Validates one raw rule; returns the rule or the problems, each prefixed with `rules[index]`. */
export function parseRule(raw: unknown, index: number): { rule?: PolicyRule; issues: string[] } {
  const at = `rules[${index}]`;
  const parsed = ruleSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map(
        (issue) => `${at}${issue.path.length ? `.${formatPath(issue.path)}` : ''}: ${issue.message}`,
      ),
    };
  }
  const { role, effect, actions: ruleActions, resource, conditions, fields, when, description } = parsed.data;
  const issues = conditions ? checkConditions(resource, conditions).map((issue) => `${at}.${issue}`) : [];
  const expanded = fields === 'non-health' ? nonHealthFields[resource] : fields;
  for (const field of fields === 'non-health' ? [] : (fields ?? [])) {
    if (!resourceFields[resource].includes(field))
      issues.push(`${at}.fields: ${resource} has no field "${field}"`);
  }
  if (issues.length > 0) return { issues };
  const rule: PolicyRule = {
    index,
    roles: Array.isArray(role) ? role : [role],
    effect,
    actions: ruleActions,
    resource,
    description,
    ...(conditions ? { conditions: conditions as Record<string, FieldCondition> } : {}),
    ...(expanded ? { fields: expanded } : {}),
    ...(when ? { when } : {}),
  };
  return { rule, issues: [] };
}
