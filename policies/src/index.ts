/** @custos/policies: attribute-based access control, with the policies kept as data in abac.yaml. */
export { type AppAbility, abilityFor, asResource, permittedFields, pickPermittedFields } from './ability.js';
export { accessCondition, type Condition } from './condition.js';
export { loadPolicySet, PolicyError, type PolicySet, parsePolicySet } from './loader.js';
export {
  type Action,
  actions,
  type PurposeOfUse,
  permissionName,
  purposesOfUse,
  type RequestContext,
  type ResourceType,
  type Role,
  resourceTypes,
  roles,
  type SubjectAttributes,
} from './model.js';
export type { FieldCondition, PolicyRule } from './policy-rule.js';
export {
  conditionFields,
  healthFields,
  nonHealthFields,
  personalFields,
  resourceFields,
} from './resources.js';
