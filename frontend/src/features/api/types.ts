/** The API's shapes this app reads (see docs/api.md); fields the caller may not read are absent. */

export type LifecycleState =
  | 'manufactured'
  | 'provisioned'
  | 'claimed'
  | 'active'
  | 'suspended'
  | 'decommissioned';
export const lifecycleStates: readonly LifecycleState[] = [
  'manufactured',
  'provisioned',
  'claimed',
  'active',
  'suspended',
  'decommissioned',
];
export const lifecycleActions = ['provision', 'claim', 'activate', 'suspend', 'decommission'] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Device {
  id: string;
  tenantId: string;
  siteId: string | null;
  serialNumber: string;
  model: string;
  firmwareVersion: string | null;
  labels: Record<string, string>;
  lifecycleState: LifecycleState;
  patientId?: string | null;
  dataCategory: 'operational' | 'health';
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface DeviceSummary {
  total: number;
  byState: Record<LifecycleState, number>;
}

export interface Site {
  id: string;
  tenantId: string;
  code: string;
  name: string;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
}

export type ResourceType =
  | 'Tenant'
  | 'Site'
  | 'User'
  | 'Device'
  | 'AuditEvent'
  | 'PrivacyRequest'
  | 'LegalHold'
  | 'RetentionSchedule'
  | 'ConsentRecord'
  | 'Breach'
  | 'ProcessingRecord';

export interface Grant {
  effect: 'allow' | 'deny';
  roles: string[];
  resource: ResourceType;
  actions: string[];
  conditions: Record<string, unknown>;
  withheldFields: string[];
  purposes: string[] | null;
  description: string;
}

export interface Permissions {
  userId: string;
  username: string;
  roles: string[];
  tenantId: string | null;
  siteIds: string[];
  purposeOfUse: string | null;
  allowed: Record<ResourceType, string[]>;
  grants: Grant[];
}

export interface User {
  id: string;
  username: string;
  displayName: string | null;
  kind: string;
  tenantId: string | null;
  roles?: string[];
  siteIds?: string[];
  attributes?: Record<string, string>;
}

export interface AuditEvent {
  seq: number;
  time: string;
  tenantId: string | null;
  entry: {
    type: string;
    outcome: 'allowed' | 'denied' | 'failed';
    actor: { id: string; kind: string; roles: string[]; tenantId: string | null };
    resource: { type: string; id: string | null; tenantId: string | null } | null;
    purposeOfUse: string | null;
    requestId: string | null;
    source: { ip: string | null; userAgent: string | null } | null;
    subject: string | null;
    payload: Record<string, unknown> | null;
  };
  leafHash: string;
  personal?: Record<string, unknown> | null;
  personalStatus: 'none' | 'available' | 'erased' | 'unreadable';
}

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
  cosignatures: unknown[];
}

export interface Verification {
  ok: boolean;
  checkedEvents: number;
  treeSize: number;
  checkedHeads: number;
  firstBadSeq: number | null;
  badTreeSize: number | null;
  reason: string | null;
  startedAt: string;
  durationMs: number;
}

export const commandStatuses = ['queued', 'delivered', 'acknowledged', 'failed', 'timed_out'] as const;
export type CommandStatus = (typeof commandStatuses)[number];

export interface DeviceCommand {
  id: string;
  deviceId: string;
  name: string;
  params: Record<string, unknown>;
  status: CommandStatus;
  requestedBy: string;
  createdAt: string;
  expiresAt: string;
  deliveredAt: string | null;
  completedAt: string | null;
  result: unknown;
  error: string | null;
}

export interface DeviceState {
  deviceId: string;
  online: boolean;
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  reportedAt: string | null;
  desiredAt: string | null;
  onlineSince: string | null;
  offlineSince: string | null;
}

/** The reasons a person may give when revoking a certificate (the API accepts these three). */
export const revocationReasons = ['keyCompromise', 'cessationOfOperation', 'unspecified'] as const;
export type RevocationReason = (typeof revocationReasons)[number];

export interface DeviceCertificate {
  serialNumber: string;
  deviceId: string;
  fingerprintSha256: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  status: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  /** `superseded` too: the platform revokes with it when it replaces a certificate. */
  revocationReason: RevocationReason | 'superseded' | null;
}

export interface TelemetrySeries {
  deviceId: string;
  model: string;
  units: Record<string, string>;
  from: string;
  to: string;
  items: Array<{ measuredAt: string; seq: number; metrics: Record<string, number | boolean> }>;
  withheld: number;
}

// The privacy operations' shapes (issue 6) live beside their pages; re-exported so that every API
// shape is imported from here.
export * from '@/features/privacy/api-types';
export * from '@/features/privacy/request-types';
