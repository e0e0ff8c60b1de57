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

export type ResourceType = 'Tenant' | 'Site' | 'User' | 'Device' | 'AuditEvent';

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
