/**
 * What a signed-in user may do, for their account page and for interfaces that show only what
 * policy allows: the rules of their roles as written (placeholders such as `${subject.tenantId}`
 * kept, so nothing about other people is revealed) and the actions they hold on each resource type.
 */
import {
  type Action,
  actions,
  type PolicySet,
  type ResourceType,
  resourceFields,
  resourceTypes,
} from '@custos/policies';
import { z } from 'zod';
import type { Actor } from '../../core/authz/actor.js';

const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const permissionsSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    roles: z.array(z.string()),
    tenantId: z.string().nullable(),
    siteIds: z.array(z.string()),
    purposeOfUse: z.string().nullable(),
    allowed: z.record(z.enum(resourceTypes), z.array(z.enum(actions))),
    grants: z.array(
      z.object({
        effect: z.enum(['allow', 'deny']),
        roles: z.array(z.string()),
        resource: z.enum(resourceTypes),
        actions: z.array(z.enum(actions)),
        /** Field → value or operator (`$eq`, `$ne`, `$in`, `$nin`); values may be `${subject.*}` placeholders. */
        conditions: z.record(
          z.string(),
          z.union([conditionValue, z.record(z.string(), z.union([conditionValue, z.array(conditionValue)]))]),
        ),
        withheldFields: z.array(z.string()),
        purposes: z.array(z.string()).nullable(),
        description: z.string(),
      }),
    ),
  })
  .describe('The caller’s roles and attributes, their policy rules, and the actions they hold');
export type Permissions = z.infer<typeof permissionsSchema>;

export function permissionsOf(actor: Actor, policies: PolicySet): Permissions {
  const { principal } = actor;
  const allowed = Object.fromEntries(
    resourceTypes.map((type) => [type, actions.filter((action) => actor.ability.can(action, type))]),
  ) as Record<ResourceType, Action[]>;
  const grants = policies.rules
    .filter((rule) => rule.roles.some((role) => principal.roles.includes(role)))
    .map((rule) => ({
      effect: rule.effect,
      roles: rule.roles.filter((role) => principal.roles.includes(role)),
      resource: rule.resource,
      actions: [...rule.actions],
      conditions: structuredClone(rule.conditions ?? {}) as Permissions['grants'][number]['conditions'],
      withheldFields: rule.fields
        ? resourceFields[rule.resource].filter((field) => !rule.fields?.includes(field))
        : [],
      purposes: rule.when ? [...rule.when.purpose] : null,
      description: rule.description,
    }));
  return {
    userId: principal.userId,
    username: principal.username,
    roles: [...principal.roles],
    tenantId: principal.tenantId,
    siteIds: [...principal.siteIds],
    purposeOfUse: actor.context.purpose ?? null,
    allowed,
    grants,
  };
}
