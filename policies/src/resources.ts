/**
 * The resources policies talk about, with the API's field names and each field's kind. The kind
 * decides what a policy may do with a field: only scalar columns can appear in conditions, because
 * conditions are also translated to SQL (see `condition.ts` and the backend's condition-sql.ts).
 */
import type { ResourceType } from './model.js';

/** Scalar kinds match the SQL column types the backend can filter on; the rest are not comparable. */
export type FieldKind = 'uuid' | 'text' | 'int4' | 'bool' | 'timestamp' | 'array' | 'json';

interface FieldSpec {
  kind: FieldKind;
  /** Health-related: reveals information about a person's health (GDPR art. 9, HIPAA PHI). */
  health?: true;
  /** Personal data (GDPR art. 4(1)): kept out of logs, and only encrypted in the audit trail. */
  personal?: true;
}

const common = {
  createdAt: { kind: 'timestamp' },
  updatedAt: { kind: 'timestamp' },
  version: { kind: 'int4' },
} satisfies Record<string, FieldSpec>;

const specs: Record<ResourceType, Record<string, FieldSpec>> = {
  Tenant: {
    id: { kind: 'uuid' },
    slug: { kind: 'text' },
    name: { kind: 'text' },
    ...common,
  },
  Site: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    code: { kind: 'text' },
    name: { kind: 'text' },
    timezone: { kind: 'text' },
    ...common,
  },
  User: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    username: { kind: 'text', personal: true },
    displayName: { kind: 'text', personal: true },
    // 'staff' or 'data-subject' (derived from roles by the database): lets policies keep patients'
    // accounts away from roles that must not learn who is a patient.
    kind: { kind: 'text' },
    roles: { kind: 'array' },
    siteIds: { kind: 'array' },
    attributes: { kind: 'json', personal: true },
    lastSeenAt: { kind: 'timestamp' },
    ...common,
  },
  Device: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    siteId: { kind: 'uuid' },
    serialNumber: { kind: 'text' },
    model: { kind: 'text' },
    firmwareVersion: { kind: 'text' },
    labels: { kind: 'json' },
    lifecycleState: { kind: 'text' },
    // Linking a device to a patient reveals that the patient is being monitored for a condition.
    patientId: { kind: 'uuid', health: true },
    dataCategory: { kind: 'text' },
    ...common,
    // What the device's patient said about processing, derived when read (processing_restrictions,
    // consent_records): whether they restricted it (GDPR art. 18) and whether their data may serve
    // analytics (consent in force, no objection, no restriction). Health-related: both reveal that
    // the device monitors a patient.
    processingRestricted: { kind: 'bool', health: true },
    analyticsAllowed: { kind: 'bool', health: true },
  },
  // An event of the audit trail: the sealed entry exactly as hashed, its leaf hash, and the event's
  // personal data decrypted for the reader (`personal`), which may reveal health information.
  // Its tenant is the resource's, else the actor's.
  AuditEvent: {
    seq: { kind: 'int4' },
    time: { kind: 'timestamp' },
    tenantId: { kind: 'uuid' },
    entry: { kind: 'json' },
    // Hex of a bytea column: shown, never compared in a policy condition.
    leafHash: { kind: 'json' },
    personal: { kind: 'json', health: true, personal: true },
    // Whether the event holds personal data, and whether it can still be read: none, available,
    // erased. Derived when read (not a column), so not usable in policy conditions.
    personalStatus: { kind: 'json' },
  },
  // A data-subject request. The requester's own words and contact are personal data; which patient
  // it is about is health information (that they are a patient).
  PrivacyRequest: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    reference: { kind: 'text' },
    type: { kind: 'text' },
    status: { kind: 'text' },
    jurisdiction: { kind: 'text' },
    receivedAt: { kind: 'timestamp' },
    dueAt: { kind: 'timestamp' },
    extendedDueAt: { kind: 'timestamp' },
    extensionReason: { kind: 'text' },
    contactEmail: { kind: 'text', personal: true },
    locale: { kind: 'text' },
    subjectReference: { kind: 'text', personal: true },
    details: { kind: 'text', personal: true },
    rectification: { kind: 'json', personal: true },
    objectionPurposes: { kind: 'array' },
    subjectUserId: { kind: 'uuid' },
    subjectPatientId: { kind: 'uuid', health: true },
    identityMethod: { kind: 'text' },
    identityVerifiedAt: { kind: 'timestamp' },
    assigneeId: { kind: 'uuid' },
    rejectionReason: { kind: 'text' },
    outcome: { kind: 'json' },
    completedAt: { kind: 'timestamp' },
    ...common,
  },
  LegalHold: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    scope: { kind: 'text' },
    siteId: { kind: 'uuid' },
    deviceId: { kind: 'uuid' },
    patientId: { kind: 'uuid', health: true },
    userId: { kind: 'uuid' },
    categories: { kind: 'array' },
    reason: { kind: 'text' },
    matter: { kind: 'text' },
    ownerId: { kind: 'uuid' },
    createdBy: { kind: 'uuid' },
    releasedAt: { kind: 'timestamp' },
    releasedBy: { kind: 'uuid' },
    releaseReason: { kind: 'text' },
    ...common,
  },
  // A retention schedule as it applies to one tenant (policies/privacy/retention.yaml plus the
  // tenant's chosen period where the schedule allows one).
  RetentionSchedule: {
    id: { kind: 'text' },
    tenantId: { kind: 'uuid' },
    description: { kind: 'text' },
    table: { kind: 'text' },
    category: { kind: 'text' },
    action: { kind: 'text' },
    basis: { kind: 'text' },
    days: { kind: 'int4' },
    defaultDays: { kind: 'int4' },
    tenantDays: { kind: 'json' },
    // When and by whom the tenant last chose its period (null while the default applies).
    updatedAt: { kind: 'timestamp' },
    updatedBy: { kind: 'uuid' },
  },
  ConsentRecord: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    patientId: { kind: 'uuid', health: true },
    userId: { kind: 'uuid' },
    purpose: { kind: 'text' },
    action: { kind: 'text' },
    source: { kind: 'text' },
    evidence: { kind: 'text', personal: true },
    recordedAt: { kind: 'timestamp' },
    recordedBy: { kind: 'uuid' },
  },
  // An entry of the breach register: it describes a breach, never an affected person's data.
  Breach: {
    id: { kind: 'uuid' },
    tenantId: { kind: 'uuid' },
    reference: { kind: 'text' },
    title: { kind: 'text' },
    description: { kind: 'text' },
    categories: { kind: 'array' },
    subjectsAffected: { kind: 'int4' },
    recordsAffected: { kind: 'int4' },
    likelyConsequences: { kind: 'text' },
    measures: { kind: 'text' },
    risk: { kind: 'text' },
    status: { kind: 'text' },
    occurredAt: { kind: 'timestamp' },
    detectedAt: { kind: 'timestamp' },
    // detectedAt + 72 hours (art. 33(1)); derived when read.
    notificationDueAt: { kind: 'timestamp' },
    authorityNotifiedAt: { kind: 'timestamp' },
    lateNotificationReason: { kind: 'text' },
    subjectsNotifiedAt: { kind: 'timestamp' },
    createdBy: { kind: 'uuid' },
    ...common,
  },
  // The GDPR art. 30 record of processing of one tenant, generated from policies/privacy/.
  ProcessingRecord: {
    tenantId: { kind: 'uuid' },
    generatedAt: { kind: 'timestamp' },
    controller: { kind: 'json' },
    activities: { kind: 'json' },
    security: { kind: 'json' },
    transfers: { kind: 'json' },
  },
};

const scalarKinds: ReadonlySet<FieldKind> = new Set(['uuid', 'text', 'int4', 'bool']);

function select(predicate: (spec: FieldSpec) => boolean): Record<ResourceType, readonly string[]> {
  const entries = Object.entries(specs).map(([type, fields]) => [
    type,
    Object.freeze(
      Object.entries(fields)
        .filter(([, spec]) => predicate(spec))
        .map(([name]) => name),
    ),
  ]);
  return Object.freeze(Object.fromEntries(entries)) as Record<ResourceType, readonly string[]>;
}

/** Every field of each resource, in API order. */
export const resourceFields = select(() => true);

/** Fields that reveal health information; only roles with a care relationship may see them. */
export const healthFields = select((spec) => spec.health === true);

/** Fields holding personal data, health data included: the audit trail stores them only encrypted. */
export const personalFields = select((spec) => spec.health === true || spec.personal === true);

/** Every field except the health-related ones: what `fields: non-health` in a policy expands to. */
export const nonHealthFields = select((spec) => spec.health !== true);

/** Fields policies may put in conditions: each needs a column in the repository's column map. */
export const conditionFields = select((spec) => scalarKinds.has(spec.kind));

/** The kind of a field, or undefined when the resource has no such field. */
export function fieldKind(type: ResourceType, field: string): FieldKind | undefined {
  return Object.hasOwn(specs[type], field) ? specs[type][field]?.kind : undefined;
}

/** Whether policies may put this kind of field in a condition (it maps to a comparable column). */
export function isConditionKind(kind: FieldKind): boolean {
  return scalarKinds.has(kind);
}
