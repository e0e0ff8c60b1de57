/**
 * The API shapes of the privacy office's other records (issue 6): legal holds, retention schedules
 * and runs, consent, breaches, the record of processing. Field names follow policies/src/resources.ts
 * and the backend DTOs (the `*.dto.ts` files of backend/src/modules/privacy); fields the caller may
 * not read are absent.
 */
export const holdScopes = ['tenant', 'site', 'device', 'subject'] as const;
export type HoldScope = (typeof holdScopes)[number];

export interface LegalHold {
  id: string;
  tenantId: string;
  scope: HoldScope;
  siteId: string | null;
  deviceId: string | null;
  patientId?: string | null;
  userId: string | null;
  categories: string[];
  reason: string;
  matter: string | null;
  ownerId: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
  version: number;
}

export interface RetentionSchedule {
  id: string;
  tenantId: string;
  description: string;
  table: string;
  category: string;
  action: 'drop-partitions' | 'delete' | 'anonymise' | 'review';
  basis: string;
  /** The period in force for this tenant. */
  days: number;
  defaultDays: number;
  /** The bounds within which the tenant may choose; null when the period is fixed. */
  tenantDays: { min: number; max: number } | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** One schedule's outcome in a retention run's report (as the signed receipt names it). */
export interface RetentionScheduleOutcome {
  schedule: string;
  category: string;
  action: RetentionSchedule['action'];
  table: string;
  days: number;
  cutoff: string;
  rows: number;
  partitions: number;
  held: number;
  /** Rows past their period that a `review` schedule only reports. */
  pastPeriod: number;
  from: string | null;
  to: string | null;
}

export interface RetentionReport {
  trigger: 'scheduled' | 'manual';
  scope: { tenantId: string | null };
  slot: string | null;
  startedAt: string;
  finishedAt: string | null;
  totals: { rows: number; partitions: number; held: number; pastPeriod: number };
  partitions: Array<{
    day: string;
    outcome: 'dropped' | 'trimmed' | 'kept' | 'gone';
    rows: number;
    held: number;
    ms: number;
  }>;
  tenants: Array<{ tenantId: string | null; schedules: RetentionScheduleOutcome[]; holds: string[] }>;
  receipts: Array<Record<string, unknown>>;
}

export interface RetentionRun {
  id: string;
  dryRun: boolean;
  status: 'running' | 'completed' | 'failed';
  trigger: 'scheduled' | 'manual';
  /** The tenant a manual run covered; null: every tenant (the daily scheduled run). */
  tenantId: string | null;
  slot: string | null;
  startedAt: string;
  finishedAt: string | null;
  requestedBy: string | null;
  /** Only when one run is read; lists leave it out. */
  report?: RetentionReport | null;
}

export const consentActions = ['given', 'withdrawn'] as const;
export type ConsentAction = (typeof consentActions)[number];
/** Where a consent record came from, as an officer may record it (the portal records its own). */
export const consentSources = ['officer', 'import', 'device', 'portal'] as const;

export interface ConsentRecord {
  id: string;
  tenantId: string;
  patientId?: string | null;
  userId: string | null;
  purpose: string;
  action: ConsentAction;
  source: string;
  evidence?: string | null;
  recordedAt: string;
  recordedBy: string | null;
}

/** Per purpose that needs consent: how many people's latest record is given or withdrawn. */
export interface ConsentOverview {
  tenantId: string;
  generatedAt: string;
  purposes: Array<{ purpose: string; name: string | null; given: number; withdrawn: number }>;
}

export interface SubjectConsents {
  subject: { kind: 'patient' | 'user'; id: string };
  /** The latest record per purpose wins; `none` when nothing was ever recorded. */
  current: Array<{
    purpose: string;
    name: string | null;
    state: ConsentAction | 'none';
    since: string | null;
    source: string | null;
    recordId: string | null;
  }>;
  history: ConsentRecord[];
}

export const breachRisks = ['unassessed', 'unlikely', 'risk', 'high'] as const;
export type BreachRisk = (typeof breachRisks)[number];
export const breachStatuses = ['open', 'contained', 'closed'] as const;
export type BreachStatus = (typeof breachStatuses)[number];

export interface Breach {
  id: string;
  tenantId: string;
  reference: string;
  title: string;
  description: string;
  categories: string[];
  subjectsAffected: number | null;
  recordsAffected: number | null;
  likelyConsequences: string | null;
  measures: string | null;
  risk: BreachRisk;
  status: BreachStatus;
  occurredAt: string | null;
  detectedAt: string;
  notificationDueAt: string;
  notificationOverdue: boolean;
  /** detectedAt + 60 days: the outer limit for telling the people affected (HIPAA §164.404(b)). */
  subjectsNotificationDueAt?: string;
  subjectsNotificationOverdue?: boolean;
  authorityNotifiedAt: string | null;
  lateNotificationReason: string | null;
  subjectsNotifiedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The GDPR art. 30 record of processing of one tenant, generated by the API. */
export interface ProcessingRecord {
  tenantId: string;
  generatedAt: string;
  controller: { tenantId: string; name: string; platformRole: 'controller' | 'processor'; note: string };
  activities: Array<{
    id: string;
    name: string;
    description: string;
    basis: string;
    subjects: string[];
    consent: 'required' | 'not-required';
    objection: 'allowed' | 'not-applicable';
    duringRestriction: 'stopped' | 'allowed' | 'allowed-in-emergency';
    categories: Array<{
      name: string;
      description: string;
      special: boolean;
      tables: Array<{ table: string; columns: string[] }>;
    }>;
    recipients: string[];
    retention: Array<{
      schedule: string;
      description: string;
      table: string;
      category: string;
      days: number;
      defaultDays: number;
      tenantChosen: boolean;
      action: string;
      basis: string;
    }>;
  }>;
  security: string[];
  transfers: Array<{ recipient: string; country: string; safeguard: string }>;
}
