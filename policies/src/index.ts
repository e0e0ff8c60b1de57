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
  type DataCategory,
  type DataMap,
  type DataOrigin,
  dataOrigins,
  type ErasureAction,
  erasureActions,
  type MappedColumn,
  type MappedTable,
  type RectifiableAttribute,
  rectifiableAttributes,
  type SubjectLink,
} from './privacy/data-map.js';
export {
  type ComplaintAuthority,
  complaintAuthorities,
  type DeadlineRule,
  deadlineRule,
  type Jurisdiction,
  type Period,
  type PrivacyRequestType,
  privacyRequestTypes,
} from './privacy/jurisdictions.js';
export {
  loadPrivacyDeclarations,
  PrivacyDeclarationError,
  type PrivacyDeclarations,
  parsePrivacyDeclarations,
} from './privacy/load.js';
export type { ProcessingPurpose, ProcessingRecordSource } from './privacy/processing.js';
export {
  effectiveDays,
  type RetentionAction,
  type RetentionSchedule,
  retentionActions,
} from './privacy/retention.js';
export {
  conditionFields,
  healthFields,
  nonHealthFields,
  personalFields,
  resourceFields,
} from './resources.js';
