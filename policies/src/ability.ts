/**
 * Turns the policy set into a CASL ability for one subject and one request. Everything that
 * depends on the caller (roles, placeholders, purpose of use) is decided here, once per request,
 * so CASL only ever sees concrete rules.
 */
import { createMongoAbility, type MongoAbility, type RawRuleOf, subject as tagSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { PolicySet } from './loader.js';
import type { Action, RequestContext, ResourceType, SubjectAttributes } from './model.js';
import { parsePlaceholder, resolvePlaceholder, unresolved } from './placeholders.js';
import type { FieldCondition, PolicyRule } from './policy-rule.js';
import { resourceFields } from './resources.js';

export type AppAbility = MongoAbility<[Action, ResourceType | object]>;
type RawRule = RawRuleOf<AppAbility>;

function resolveValue(value: unknown, subject: SubjectAttributes): unknown {
  if (typeof value === 'string') {
    const placeholder = parsePlaceholder(value);
    return placeholder ? resolvePlaceholder(placeholder, subject) : value;
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => resolveValue(item, subject));
    return items.includes(unresolved) ? unresolved : items;
  }
  return value;
}

/** The rule's conditions with the subject's values filled in, or `unresolved`. */
function resolveConditions(
  conditions: Readonly<Record<string, FieldCondition>>,
  subject: SubjectAttributes,
): Record<string, unknown> | typeof unresolved {
  const resolved: Record<string, unknown> = {};
  for (const [field, condition] of Object.entries(conditions)) {
    let value: unknown;
    if (condition !== null && typeof condition === 'object') {
      const operators = Object.entries(condition).map(([op, operand]) => [
        op,
        resolveValue(operand, subject),
      ]);
      if (operators.some(([, operand]) => operand === unresolved)) return unresolved;
      value = Object.fromEntries(operators);
    } else {
      value = resolveValue(condition, subject);
    }
    if (value === unresolved) return unresolved;
    resolved[field] = value;
  }
  return resolved;
}

function applies(rule: PolicyRule, subject: SubjectAttributes, context: RequestContext): boolean {
  if (!rule.roles.some((role) => subject.roles.includes(role))) return false;
  return !rule.when || (context.purpose !== undefined && rule.when.purpose.includes(context.purpose));
}

function toRawRule(rule: PolicyRule, subject: SubjectAttributes): RawRule | undefined {
  const base: RawRule = {
    action: [...rule.actions],
    subject: rule.resource,
    ...(rule.effect === 'deny' ? { inverted: true } : {}),
    ...(rule.fields ? { fields: [...rule.fields] } : {}),
  };
  if (!rule.conditions) return base;
  const conditions = resolveConditions(rule.conditions, subject);
  if (conditions !== unresolved) return { ...base, conditions };
  // A missing attribute (say a platform admin's null tenant) must never be compared with columns:
  // it would match the rows whose column is NULL. An allow is dropped; a deny fails closed and
  // applies unconditionally, since dropping it would grant more.
  return rule.effect === 'allow' ? undefined : base;
}

/** The caller's ability for this request. No applicable rule means no access (deny by default). */
export function abilityFor(
  policies: PolicySet,
  subject: SubjectAttributes,
  context: RequestContext,
): AppAbility {
  const raw = policies.rules
    .filter((rule) => applies(rule, subject, context))
    .map((rule) => toRawRule(rule, subject))
    .filter((rule) => rule !== undefined);
  // CASL gives later rules priority. Putting every deny after every allow makes deny override
  // allow whatever the order in the file, which is how reviewers read a policy.
  const ordered = [...raw.filter((rule) => !rule.inverted), ...raw.filter((rule) => rule.inverted)];
  return createMongoAbility<AppAbility>(ordered);
}

/** Tags a plain object (e.g. a database row) with its resource type, so CASL can check it. */
export function asResource<T extends object>(type: ResourceType, data: T): T {
  return tagSubject(type, data);
}

/**
 * Fields the caller may see for this action: for a given resource when one is passed, otherwise
 * the union over all rules (what a list endpoint may ever show). Returned in the API's order.
 */
export function permittedFields(
  ability: AppAbility,
  action: Action,
  type: ResourceType,
  resource?: object,
): string[] {
  const options = { fieldsFrom: (rule: { fields?: string[] }) => rule.fields ?? [...resourceFields[type]] };
  const permitted = new Set(
    resource === undefined
      ? permittedFieldsOf(ability, action, type, options)
      : // A tagged copy: checking a row must not mutate (or fail on) the caller's frozen object.
        permittedFieldsOf(ability, action, asResource(type, { ...resource }), options),
  );
  return resourceFields[type].filter((field) => permitted.has(field));
}

/** A copy of the resource holding only the fields the caller may see; {} when it may see none. */
export function pickPermittedFields<T extends object>(
  ability: AppAbility,
  action: Action,
  type: ResourceType,
  resource: T,
): Partial<T> {
  const picked: Partial<T> = {};
  for (const field of permittedFields(ability, action, type, resource)) {
    if (Object.hasOwn(resource, field)) picked[field as keyof T] = resource[field as keyof T];
  }
  return picked;
}
