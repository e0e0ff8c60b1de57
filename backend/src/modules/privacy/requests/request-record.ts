/**
 * A privacy_requests row as the workflow sees it: the row schema the pool validates, the camelCase
 * record the services use (the API's PrivacyRequest fields plus what only the workflow reads), and
 * the shapes of a new request and of a step's change.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import { type RequestStatus, requestStatuses } from './request-states.js';

export const requestRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid(),
  reference: z.string(),
  type: z.enum(['access', 'portability', 'rectification', 'restriction', 'objection', 'erasure']),
  status: z.enum(requestStatuses),
  jurisdiction: z.string(),
  received_at: z.string(),
  due_at: z.string(),
  extended_due_at: z.string().nullable(),
  extension_reason: z.string().nullable(),
  contact_email: z.string().nullable(),
  contact_verified_at: z.string().nullable(),
  locale: z.string(),
  time_zone: z.string(),
  subject_reference: z.string().nullable(),
  details: z.string().nullable(),
  rectification: z.record(z.string(), z.unknown()).nullable(),
  objection_purposes: z.array(z.string()),
  subject_user_id: z.uuid().nullable(),
  subject_patient_id: z.uuid().nullable(),
  identity_method: z.enum(['signed-in', 'email-code', 'officer']).nullable(),
  identity_verified_at: z.string().nullable(),
  identity_note: z.string().nullable(),
  assignee_id: z.uuid().nullable(),
  rejection_reason: z.string().nullable(),
  outcome: z.record(z.string(), z.unknown()).nullable(),
  completed_at: z.string().nullable(),
  last_reminded_at: z.string().nullable(),
  access_token_sha256: z.string().nullable(),
  created_by: z.uuid().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
export type RequestRow = z.infer<typeof requestRow>;

/** Every column, from the alias `r`. */
export const columns = sql.fragment`r.id, r.tenant_id, r.reference, r.type, r.status, r.jurisdiction, r.received_at,
  r.due_at, r.extended_due_at, r.extension_reason, r.contact_email, r.contact_verified_at, r.locale, r.time_zone,
  r.subject_reference, r.details, r.rectification, r.objection_purposes, r.subject_user_id, r.subject_patient_id,
  r.identity_method, r.identity_verified_at, r.identity_note, r.assignee_id, r.rejection_reason, r.outcome,
  r.completed_at, r.last_reminded_at, r.access_token_sha256, r.created_by, r.created_at, r.updated_at, r.version`;

/** A request as stored: the API's fields plus what only the workflow reads. */
export interface PrivacyRequestRecord {
  id: string;
  tenantId: string;
  reference: string;
  type: RequestRow['type'];
  status: RequestStatus;
  jurisdiction: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
  extensionReason: string | null;
  contactEmail: string | null;
  contactVerifiedAt: string | null;
  locale: string;
  timeZone: string;
  subjectReference: string | null;
  details: string | null;
  rectification: Record<string, unknown> | null;
  objectionPurposes: string[];
  subjectUserId: string | null;
  subjectPatientId: string | null;
  identityMethod: RequestRow['identity_method'];
  identityVerifiedAt: string | null;
  identityNote: string | null;
  assigneeId: string | null;
  rejectionReason: string | null;
  outcome: Record<string, unknown> | null;
  completedAt: string | null;
  lastRemindedAt: string | null;
  accessTokenSha256: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export const toRecord = (r: RequestRow): PrivacyRequestRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  reference: r.reference,
  type: r.type,
  status: r.status,
  jurisdiction: r.jurisdiction,
  receivedAt: r.received_at,
  dueAt: r.due_at,
  extendedDueAt: r.extended_due_at,
  extensionReason: r.extension_reason,
  contactEmail: r.contact_email,
  contactVerifiedAt: r.contact_verified_at,
  locale: r.locale,
  timeZone: r.time_zone,
  subjectReference: r.subject_reference,
  details: r.details,
  rectification: r.rectification,
  objectionPurposes: r.objection_purposes,
  subjectUserId: r.subject_user_id,
  subjectPatientId: r.subject_patient_id,
  identityMethod: r.identity_method,
  identityVerifiedAt: r.identity_verified_at,
  identityNote: r.identity_note,
  assigneeId: r.assignee_id,
  rejectionReason: r.rejection_reason,
  outcome: r.outcome,
  completedAt: r.completed_at,
  lastRemindedAt: r.last_reminded_at,
  accessTokenSha256: r.access_token_sha256,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  version: r.version,
});

export interface NewRequest {
  tenantId: string;
  reference: string;
  type: PrivacyRequestRecord['type'];
  status: RequestStatus;
  jurisdiction: string;
  receivedAt: string;
  dueAt: string;
  contactEmail: string | null;
  locale: string;
  timeZone: string;
  subjectReference: string | null;
  details: string | null;
  rectification: Record<string, unknown> | null;
  objectionPurposes: string[];
  subjectUserId: string | null;
  subjectPatientId: string | null;
  identityMethod: PrivacyRequestRecord['identityMethod'];
  identityVerifiedAt: string | null;
  identityNote: string | null;
  createdBy: string | null;
}

/** What a workflow step changes; only the fields given are written. */
export type RequestChange = Partial<
  Pick<
    PrivacyRequestRecord,
    | 'status'
    | 'extendedDueAt'
    | 'extensionReason'
    | 'contactVerifiedAt'
    | 'subjectUserId'
    | 'subjectPatientId'
    | 'identityMethod'
    | 'identityVerifiedAt'
    | 'identityNote'
    | 'assigneeId'
    | 'rejectionReason'
    | 'outcome'
    | 'completedAt'
    | 'accessTokenSha256'
  >
>;

export const changeColumns: Record<keyof RequestChange, string> = {
  status: 'status',
  extendedDueAt: 'extended_due_at',
  extensionReason: 'extension_reason',
  contactVerifiedAt: 'contact_verified_at',
  subjectUserId: 'subject_user_id',
  subjectPatientId: 'subject_patient_id',
  identityMethod: 'identity_method',
  identityVerifiedAt: 'identity_verified_at',
  identityNote: 'identity_note',
  assigneeId: 'assignee_id',
  rejectionReason: 'rejection_reason',
  outcome: 'outcome',
  completedAt: 'completed_at',
  accessTokenSha256: 'access_token_sha256',
};
