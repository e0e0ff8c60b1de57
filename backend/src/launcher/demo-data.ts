/**
 * The demo world seeded by `npm start` and used by the test suite: fixed identifiers so that the
 * development identity provider's token claims (`tenant_id`, `site_ids`) and the database agree.
 * Nothing here is personal data: the patients are fictitious and referred to by pseudonymous codes.
 */
export const DEMO_PASSWORD = 'custos-demo';

export const demoTenants = {
  acme: { id: '0a1c0000-0000-4000-8000-000000000001', slug: 'acme-health', name: 'Acme Health' },
  globex: { id: '0a1c0000-0000-4000-8000-000000000002', slug: 'globex-labs', name: 'Globex Labs' },
} as const;

export const demoSites = {
  north: {
    id: '51e00000-0000-4000-8000-000000000001',
    tenantId: demoTenants.acme.id,
    code: 'NORTH',
    name: 'North',
  },
  south: {
    id: '51e00000-0000-4000-8000-000000000002',
    tenantId: demoTenants.acme.id,
    code: 'SOUTH',
    name: 'South',
  },
  globexLab: {
    id: '51e00000-0000-4000-8000-000000000003',
    tenantId: demoTenants.globex.id,
    code: 'LAB-1',
    name: 'Cambridge Lab',
  },
} as const;

/** Patients are data subjects; the platform knows them only by a tenant-scoped pseudonymous code. */
export const demoPatients = {
  p1: { id: 'fa710000-0000-4000-8000-000000000001', tenantId: demoTenants.acme.id, code: 'PT-0001' },
  p2: { id: 'fa710000-0000-4000-8000-000000000002', tenantId: demoTenants.acme.id, code: 'PT-0002' },
  p3: { id: 'fa710000-0000-4000-8000-000000000003', tenantId: demoTenants.acme.id, code: 'PT-0003' },
} as const;

export type DemoRole =
  | 'platform-admin'
  | 'tenant-admin'
  | 'operator'
  | 'clinician'
  | 'compliance-officer'
  | 'privacy-officer'
  | 'auditor'
  | 'data-subject';

export interface DemoUser {
  /** Stable `sub` claim. */
  id: string;
  username: string;
  displayName: string;
  roles: DemoRole[];
  tenantId: string | null;
  siteIds: string[];
  /** Care relationships (clinicians) — seeded as care assignments in the database. */
  assignedPatientIds: string[];
  /** The patient record that this account is the data subject of (data-subject role). */
  subjectPatientId: string | null;
}

const acme = demoTenants.acme.id;
const user = (n: number) => `05e70000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const demoUsers: readonly DemoUser[] = [
  {
    id: user(1),
    username: 'admin',
    displayName: 'Platform Admin',
    roles: ['platform-admin'],
    tenantId: null,
    siteIds: [],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(2),
    username: 'tenant-admin',
    displayName: 'Acme Tenant Admin',
    roles: ['tenant-admin'],
    tenantId: acme,
    siteIds: [demoSites.north.id, demoSites.south.id],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(3),
    username: 'operator',
    displayName: 'Acme North Operator',
    roles: ['operator'],
    tenantId: acme,
    siteIds: [demoSites.north.id],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(4),
    username: 'operator-globex',
    displayName: 'Globex Operator',
    roles: ['operator'],
    tenantId: demoTenants.globex.id,
    siteIds: [demoSites.globexLab.id],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(5),
    username: 'clinician',
    displayName: 'Acme Clinician',
    roles: ['clinician'],
    tenantId: acme,
    siteIds: [demoSites.north.id, demoSites.south.id],
    assignedPatientIds: [demoPatients.p1.id, demoPatients.p2.id],
    subjectPatientId: null,
  },
  {
    id: user(6),
    username: 'compliance',
    displayName: 'Acme Compliance Officer',
    roles: ['compliance-officer'],
    tenantId: acme,
    siteIds: [],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(7),
    username: 'privacy',
    displayName: 'Acme Privacy Officer',
    roles: ['privacy-officer'],
    tenantId: acme,
    siteIds: [],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(8),
    username: 'auditor',
    displayName: 'External Auditor',
    roles: ['auditor'],
    tenantId: acme,
    siteIds: [],
    assignedPatientIds: [],
    subjectPatientId: null,
  },
  {
    id: user(9),
    username: 'subject',
    displayName: 'Demo Data Subject',
    roles: ['data-subject'],
    tenantId: acme,
    siteIds: [],
    assignedPatientIds: [],
    subjectPatientId: demoPatients.p1.id,
  },
];

export const demoUserByName = (username: string): DemoUser | undefined =>
  demoUsers.find((u) => u.username === username);
