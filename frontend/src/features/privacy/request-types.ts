/**
 * The API shapes of data-subject requests (issue 6): the privacy office's view of a request, and the
 * public portal's (what a tenant offers, a request's status for its requester). Field names follow
 * policies/src/resources.ts and backend/src/modules/privacy/requests/*.dto.ts; fields the caller may
 * not read are absent.
 */

export const requestTypes = [
  'access',
  'portability',
  'rectification',
  'restriction',
  'objection',
  'erasure',
] as const;
export type RequestType = (typeof requestTypes)[number];

export const requestStatuses = [
  'received',
  'identity-verified',
  'in-progress',
  'extended',
  'completed',
  'rejected',
] as const;
export type RequestStatus = (typeof requestStatuses)[number];

/** One step of a request's history (no personal data: a status and the event that led to it). */
export interface RequestHistoryEntry {
  at: string;
  status: RequestStatus;
  event: string;
}

/** The bundle an access or portability request produced, once the job has stored it. */
export interface RequestResult {
  available: boolean;
  bytes: number;
  expiresAt: string | null;
}

/** What fulfilment did: counts per table, what was kept and why, notes for the officer. */
export interface RequestOutcome {
  counts?: Record<string, number>;
  kept?: Array<{ table: string; reason: string; holdId?: string }>;
  file?: { name: string; bytes: number; sha256: string; contentType: string };
  notes?: string[];
}

/** A request as the officer's API shows it (fields the caller may not read are absent). */
export interface PrivacyRequest {
  id: string;
  tenantId: string;
  reference: string;
  type: RequestType;
  status: RequestStatus;
  jurisdiction: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
  extensionReason?: string | null;
  contactEmail?: string | null;
  locale?: string;
  subjectReference?: string | null;
  details?: string | null;
  rectification?: { name?: string; email?: string } | null;
  objectionPurposes?: string[];
  subjectUserId?: string | null;
  subjectPatientId?: string | null;
  identityMethod?: 'signed-in' | 'email-code' | 'officer' | null;
  identityVerifiedAt?: string | null;
  assigneeId?: string | null;
  rejectionReason?: string | null;
  outcome?: RequestOutcome | null;
  completedAt?: string | null;
  createdAt?: string;
  updatedAt?: string;
  version?: number;
  /** The extended due date when there is one, else the due date. */
  effectiveDueAt?: string;
  overdue?: boolean;
  history?: RequestHistoryEntry[];
  job?: { state: 'queued' | 'running' | 'done' | 'failed'; progress: JobProgress | null } | null;
  result?: RequestResult | null;
}

export interface JobProgress {
  done?: number;
  total?: number;
  stage?: string;
}

/** What the public portal needs to offer a tenant's request form. */
export interface PortalInfo {
  tenant: { slug: string; name: string };
  jurisdictions: Array<{
    id: string;
    name: string;
    law: string;
    answerMonths?: number;
    answerDays?: number;
    answerBusinessDays?: number;
    extensionMonths?: number;
    extensionDays?: number;
    extensionBusinessDays?: number;
    weekendRollover: boolean;
    requestTypes: RequestType[];
  }>;
  defaultJurisdiction: string;
  requestTypes: RequestType[];
  objectionPurposes: Array<{ id: string; name: string }>;
}

/** A request as its requester sees it on the status page (with the access token from verification). */
export interface PortalStatus {
  reference: string;
  type: RequestType;
  status: RequestStatus;
  jurisdiction: string;
  receivedAt: string;
  dueAt: string;
  extendedDueAt: string | null;
  history: RequestHistoryEntry[];
  result: RequestResult | null;
  kept: Array<{ table: string; reason: string }>;
  rejectionReason?: string | null;
}
