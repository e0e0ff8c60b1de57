/**
 * The vocabulary of the access-control model: who (roles), what (actions, resource types) and why
 * (purpose of use). Policies in `abac.yaml` may only use these names; the loader rejects others.
 */

export const roles = [
  'platform-admin',
  'tenant-admin',
  'operator',
  'clinician',
  'compliance-officer',
  'privacy-officer',
  'auditor',
  'data-subject',
  'service',
] as const;
export type Role = (typeof roles)[number];

// CASL's wildcards 'manage' and 'all' are deliberately absent: every grant names its action and
// resource, so adding an action later never widens an existing rule silently.
export const actions = [
  'read',
  'create',
  'update',
  'provision',
  'claim',
  'activate',
  'suspend',
  'decommission',
  // Sending a device a command (and setting its desired state).
  'command',
  // Revoking a device's certificate: the broker refuses it from then on and drops its session.
  'revoke',
  // Taking a signed copy of the audit trail (or the record of processing) out of the platform.
  'export',
  // Starting a job by hand: a retention run (dry or real).
  'run',
] as const;
export type Action = (typeof actions)[number];

export const resourceTypes = [
  'Tenant',
  'Site',
  'User',
  'Device',
  'AuditEvent',
  // Privacy operations (GDPR chapter III, art. 30, art. 33; HIPAA §164.524–528).
  'PrivacyRequest',
  'LegalHold',
  'RetentionSchedule',
  'ConsentRecord',
  'Breach',
  'ProcessingRecord',
] as const;
export type ResourceType = (typeof resourceTypes)[number];

/** Purpose of use, declared by the caller in a request header (HL7 PurposeOfUse, simplified). */
export const purposesOfUse = [
  'treatment',
  'operations',
  'audit',
  'privacy-request',
  'emergency',
  // Secondary uses of health data: they need the subject's consent and stop on objection
  // (policies/privacy/processing.yaml).
  'analytics',
  'research',
] as const;
export type PurposeOfUse = (typeof purposesOfUse)[number];

/** What the platform knows about the authenticated caller. */
export interface SubjectAttributes {
  userId: string;
  roles: Role[];
  /** null for platform staff, who belong to no tenant. */
  tenantId: string | null;
  siteIds: string[];
  /** Care assignments: patients this subject currently treats. */
  patientIds: string[];
  /** For data subjects: their own patient record. */
  subjectPatientId: string | null;
}

export interface RequestContext {
  purpose?: PurposeOfUse;
}

/** The permission's stable name, as used in audit events and error messages: 'read:Device'. */
export function permissionName(action: Action, type: ResourceType): string {
  return `${action}:${type}`;
}
