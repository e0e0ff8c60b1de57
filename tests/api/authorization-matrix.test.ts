/**
 * Authorization matrix: every endpoint called by every demo account (and anonymously) on a resource
 * of the caller's tenant and of a foreign one. The tables are transcribed by hand from
 * policies/abac.yaml, so that a change to the policy or to its enforcement shows up as a failing cell.
 *
 *   200/201  allowed
 *   403      the caller can read the resource but not do this (body names the `permission`)
 *   404      the caller cannot read it: its existence is not revealed (no id, serial, name… in the body)
 *   401      no token
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPatients, demoSites, demoTenants, demoUsers } from '../../backend/src/launcher/demo-data.js';
import { demoDevices } from '../../backend/src/launcher/seed.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  as,
  type Caller,
  callers,
  cells,
  type DeviceFixture,
  demoUserId,
  expectProblem,
  insertDevice,
  insertUser,
  rowVersion,
  type TableName,
  uniqueSuffix,
} from './support/fixtures.js';
import { matrixFor, only, type Table } from './support/matrix.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const { acme, globex } = demoTenants;
const { north, south, globexLab } = demoSites;

// ─── Expected lists: what each caller sees (filtered in SQL by the same policy) ───────────────────────
// Patients' accounts (kind data-subject) are listed only to privacy officers and to themselves.
const acmeStaff = ['auditor', 'clinician', 'compliance', 'operator', 'privacy', 'tenant-admin'];
const acmeUsers = [...acmeStaff, 'subject'].sort();
const acmeDevices = demoDevices.filter((d) => d.tenantId === acme.id).map((d) => d.serial);
const allDevices = demoDevices.map((d) => d.serial);
const northDevices = ['ACME-N-0001', 'ACME-N-0002', 'ACME-N-0003'];

const allStaff = [...acmeStaff, 'admin', 'operator-globex'];
const [ACME, GLOBEX] = ['acme-health', 'globex-labs'];
type Listed = { tenants: string[]; sites: string[]; users: string[] } | 401;
// biome-ignore format: aligned table
const listed: Record<Caller, Listed> = {
  admin:             { tenants: [ACME, GLOBEX], sites: ['LAB-1', 'NORTH', 'SOUTH'], users: allStaff },
  'tenant-admin':    { tenants: [ACME],         sites: ['NORTH', 'SOUTH'],          users: acmeStaff },
  operator:          { tenants: [ACME],         sites: ['NORTH'],                   users: ['operator'] },
  'operator-globex': { tenants: [GLOBEX],       sites: ['LAB-1'],                   users: ['operator-globex'] },
  clinician:         { tenants: [ACME],         sites: ['NORTH', 'SOUTH'],          users: ['clinician'] },
  compliance:        { tenants: [ACME],         sites: ['NORTH', 'SOUTH'],          users: acmeStaff },
  privacy:           { tenants: [ACME],         sites: ['NORTH', 'SOUTH'],          users: acmeUsers },
  auditor:           { tenants: [ACME],         sites: ['NORTH', 'SOUTH'],          users: acmeStaff },
  subject:           { tenants: [],             sites: [],                          users: ['subject'] },
  anonymous:         401,
};

/** Devices seen, and whether items carry the health field patientId: never, only for treatment, always. */
// biome-ignore format: aligned table
const listedDevices: Record<Caller, [string[], 'never' | 'treatment' | 'always'] | 401> = {
  admin:             [allDevices,                     'never'],
  'tenant-admin':    [acmeDevices,                    'never'],
  operator:          [northDevices,                   'never'],
  'operator-globex': [['GLX-0001', 'GLX-0002'],       'never'],
  clinician:         [['ACME-N-0002', 'ACME-S-0002'], 'treatment'],
  compliance:        [acmeDevices,                    'never'],
  privacy:           [acmeDevices,                    'never'],
  auditor:           [acmeDevices,                    'never'],
  subject:           [['ACME-N-0002'],                'always'],
  anonymous:         401,
};

// ─── Tenants: columns are the Acme and the Globex tenant ─────────────────────────────────────────────
// biome-ignore format: aligned table
const tenantRead: Table<'acme' | 'globex'> = {
  admin:             { acme: 200, globex: 200 },
  'tenant-admin':    { acme: 200, globex: 404 },
  operator:          { acme: 200, globex: 404 },
  'operator-globex': { acme: 404, globex: 200 },
  clinician:         { acme: 200, globex: 404 },
  compliance:        { acme: 200, globex: 404 },
  privacy:           { acme: 200, globex: 404 },
  auditor:           { acme: 200, globex: 404 },
  subject:           { acme: 404, globex: 404 },
  anonymous:         { acme: 401, globex: 401 },
};
// biome-ignore format: aligned table
const tenantUpdate: Table<'acme' | 'globex'> = {
  admin:             { acme: 200, globex: 200 },
  'tenant-admin':    { acme: 403, globex: 404 },
  operator:          { acme: 403, globex: 404 },
  'operator-globex': { acme: 404, globex: 403 },
  clinician:         { acme: 403, globex: 404 },
  compliance:        { acme: 403, globex: 404 },
  privacy:           { acme: 403, globex: 404 },
  auditor:           { acme: 403, globex: 404 },
  subject:           { acme: 404, globex: 404 },
  anonymous:         { acme: 401, globex: 401 },
};
/** Only the platform admin onboards tenants. */
const tenantCreate = only('admin', 201, { new: 403 }, 'new');

// ─── Sites: North (operator's site), South (Acme, not the operator's), Globex's lab ──────────────────
// biome-ignore format: aligned table
const siteRead: Table<'north' | 'south' | 'lab'> = {
  admin:             { north: 200, south: 200, lab: 200 },
  'tenant-admin':    { north: 200, south: 200, lab: 404 },
  operator:          { north: 200, south: 404, lab: 404 },
  'operator-globex': { north: 404, south: 404, lab: 200 },
  clinician:         { north: 200, south: 200, lab: 404 },
  compliance:        { north: 200, south: 200, lab: 404 },
  privacy:           { north: 200, south: 200, lab: 404 },
  auditor:           { north: 200, south: 200, lab: 404 },
  subject:           { north: 404, south: 404, lab: 404 },
  anonymous:         { north: 401, south: 401, lab: 401 },
};
// biome-ignore format: aligned table
const siteUpdate: Table<'north' | 'south' | 'lab'> = {
  admin:             { north: 403, south: 403, lab: 403 },
  'tenant-admin':    { north: 200, south: 200, lab: 404 },
  operator:          { north: 403, south: 404, lab: 404 },
  'operator-globex': { north: 404, south: 404, lab: 403 },
  clinician:         { north: 403, south: 403, lab: 404 },
  compliance:        { north: 403, south: 403, lab: 404 },
  privacy:           { north: 403, south: 403, lab: 404 },
  auditor:           { north: 403, south: 403, lab: 404 },
  subject:           { north: 404, south: 404, lab: 404 },
  anonymous:         { north: 401, south: 401, lab: 401 },
};
/** Columns: the body names the Acme or the Globex tenant. Only Acme's tenant admin creates, in Acme. */
const siteCreate = only('tenant-admin', 201, { acme: 403, globex: 403 }, 'acme');

// ─── Users: /users/me, /users/<own id>, another Acme account, a Globex account ───────────────────────
// biome-ignore format: aligned table
// `patient` is a data subject's account in Acme: only the privacy officer may see it.
const userRead: Table<'me' | 'self' | 'acme' | 'patient' | 'globex'> = {
  admin:             { me: 200, self: 200, acme: 200, patient: 404, globex: 200 },
  'tenant-admin':    { me: 200, self: 200, acme: 200, patient: 404, globex: 404 },
  operator:          { me: 200, self: 200, acme: 404, patient: 404, globex: 404 },
  'operator-globex': { me: 200, self: 200, acme: 404, patient: 404, globex: 404 },
  clinician:         { me: 200, self: 200, acme: 404, patient: 404, globex: 404 },
  compliance:        { me: 200, self: 200, acme: 200, patient: 404, globex: 404 },
  privacy:           { me: 200, self: 200, acme: 200, patient: 200, globex: 404 },
  auditor:           { me: 200, self: 200, acme: 200, patient: 404, globex: 404 },
  subject:           { me: 200, self: 200, acme: 404, patient: 404, globex: 404 },
  anonymous:         { me: 401, self: 401, acme: 401, patient: 401, globex: 401 },
};
// biome-ignore format: aligned table
const userUpdate: Table<'self' | 'acme' | 'globex'> = {
  admin:             { self: 403, acme: 403, globex: 403 },
  'tenant-admin':    { self: 200, acme: 200, globex: 404 },
  operator:          { self: 403, acme: 404, globex: 404 },
  'operator-globex': { self: 403, acme: 404, globex: 404 },
  clinician:         { self: 403, acme: 404, globex: 404 },
  compliance:        { self: 403, acme: 403, globex: 404 },
  privacy:           { self: 403, acme: 403, globex: 404 },
  auditor:           { self: 403, acme: 403, globex: 404 },
  subject:           { self: 403, acme: 404, globex: 404 },
  anonymous:         { self: 401, acme: 401, globex: 401 },
};

// ─── Devices: a fresh one per case, in North (worn by patient p1), in South, or in Globex's lab ──────
type Where = 'north' | 'south' | 'globex';
const deviceAt: Record<Where, Omit<DeviceFixture, 'state'>> = {
  north: { tenantId: acme.id, siteId: north.id, patientId: demoPatients.p1.id },
  south: { tenantId: acme.id, siteId: south.id },
  globex: { tenantId: globex.id, siteId: globexLab.id },
};
// biome-ignore format: aligned table
const deviceRead: Table<Where> = {
  admin:             { north: 200, south: 200, globex: 200 },
  'tenant-admin':    { north: 200, south: 200, globex: 404 },
  operator:          { north: 200, south: 404, globex: 404 },
  'operator-globex': { north: 404, south: 404, globex: 200 },
  clinician:         { north: 200, south: 404, globex: 404 },
  compliance:        { north: 200, south: 200, globex: 404 },
  privacy:           { north: 200, south: 200, globex: 404 },
  auditor:           { north: 200, south: 200, globex: 404 },
  subject:           { north: 200, south: 404, globex: 404 },
  anonymous:         { north: 401, south: 401, globex: 401 },
};
/** PATCH, activate and suspend: tenant admins, and operators on their sites' devices. */
// biome-ignore format: aligned table
const deviceOperate: Table<Where> = {
  admin:             { north: 403, south: 403, globex: 403 },
  'tenant-admin':    { north: 200, south: 200, globex: 404 },
  operator:          { north: 200, south: 404, globex: 404 },
  'operator-globex': { north: 404, south: 404, globex: 200 },
  clinician:         { north: 403, south: 404, globex: 404 },
  compliance:        { north: 403, south: 403, globex: 404 },
  privacy:           { north: 403, south: 403, globex: 404 },
  auditor:           { north: 403, south: 403, globex: 404 },
  subject:           { north: 403, south: 404, globex: 404 },
  anonymous:         { north: 401, south: 401, globex: 401 },
};
/** decommission: tenant admins only. */
// biome-ignore format: aligned table
const deviceAdminister: Table<Where> = {
  admin:             { north: 403, south: 403, globex: 403 },
  'tenant-admin':    { north: 200, south: 200, globex: 404 },
  operator:          { north: 403, south: 404, globex: 404 },
  'operator-globex': { north: 404, south: 404, globex: 403 },
  clinician:         { north: 403, south: 404, globex: 404 },
  compliance:        { north: 403, south: 403, globex: 404 },
  privacy:           { north: 403, south: 403, globex: 404 },
  auditor:           { north: 403, south: 403, globex: 404 },
  subject:           { north: 403, south: 404, globex: 404 },
  anonymous:         { north: 401, south: 401, globex: 401 },
};
// Devices not yet claimed have no site (the database enforces it), so only callers who see their
// whole tenant's fleet can see them; operators reach them only through the claim rule.
type Unassigned = 'acme' | 'globex';
const unassignedAt: Record<Unassigned, Omit<DeviceFixture, 'state'>> = {
  acme: { tenantId: acme.id, siteId: null },
  globex: { tenantId: globex.id, siteId: null },
};
/** provision: tenant admins only. */
// biome-ignore format: aligned table
const deviceProvision: Table<Unassigned> = {
  admin:             { acme: 403, globex: 403 },
  'tenant-admin':    { acme: 200, globex: 404 },
  operator:          { acme: 404, globex: 404 },
  'operator-globex': { acme: 404, globex: 404 },
  clinician:         { acme: 404, globex: 404 },
  compliance:        { acme: 403, globex: 404 },
  privacy:           { acme: 403, globex: 404 },
  auditor:           { acme: 403, globex: 404 },
  subject:           { acme: 404, globex: 404 },
  anonymous:         { acme: 401, globex: 401 },
};
/** claim: tenant admins, and operators for any unclaimed device of their tenant, into a site they can see. */
// biome-ignore format: aligned table
const deviceClaim: Table<Unassigned> = {
  admin:             { acme: 403, globex: 403 },
  'tenant-admin':    { acme: 200, globex: 404 },
  operator:          { acme: 200, globex: 404 },
  'operator-globex': { acme: 404, globex: 200 },
  clinician:         { acme: 404, globex: 404 },
  compliance:        { acme: 403, globex: 404 },
  privacy:           { acme: 403, globex: 404 },
  auditor:           { acme: 403, globex: 404 },
  subject:           { acme: 404, globex: 404 },
  anonymous:         { acme: 401, globex: 401 },
};
/** Columns: the body names the Acme or the Globex tenant. */
const deviceCreate = only('tenant-admin', 201, { acme: 403, globex: 403 }, 'acme');

/** Public probes: everyone, signed in or not. */
type Probe = 'live' | 'ready';
const health = Object.fromEntries(callers.map((c) => [c, { live: 200, ready: 200 }])) as Table<Probe>;

const matrix = matrixFor(() => t);
const ifMatch = async (table: TableName, id: string) => ({
  'if-match': `"${await rowVersion(t, table, id)}"`,
});
const keyOf = { tenants: 'slug', sites: 'code', users: 'username' } as const;

describe('lists show each caller exactly what it may read', () => {
  describe.each(['tenants', 'sites', 'users'] as const)('GET /api/v1/%s', (resource) => {
    it.each(callers)('%s', async (caller) => {
      const expected = listed[caller];
      const res = await t.request('GET', `/api/v1/${resource}?limit=200`, as(caller));
      if (expected === 401) return expectProblem(res, 401);
      expect(res.status, res.text).toBe(200);
      const keys = res.body.items.map((i: Record<string, string>) => i[keyOf[resource]]);
      expect(keys.sort()).toEqual([...expected[resource]].sort());
    });
  });

  describe('GET /api/v1/devices', () => {
    it.each(callers.flatMap((c) => [[c, 'none'] as const, [c, 'treatment'] as const]))(
      '%s, purpose %s',
      async (caller, purpose) => {
        const headers: Record<string, string> =
          purpose === 'treatment' ? { 'x-purpose-of-use': 'treatment' } : {};
        const res = await t.request('GET', '/api/v1/devices?limit=200', { ...as(caller), headers });
        const expected = listedDevices[caller];
        if (expected === 401) return expectProblem(res, 401);
        const [serials, patientLink] = expected;
        expect(res.status, res.text).toBe(200);
        const items: Array<Record<string, unknown>> = res.body.items;
        expect(items.map((d) => d.serialNumber).sort()).toEqual([...serials].sort());
        const linked = patientLink === 'always' || (patientLink === 'treatment' && purpose === 'treatment');
        for (const d of items) expect('patientId' in d, String(d.serialNumber)).toBe(linked);
        if (caller === 'subject') {
          const fields = ['id', 'lifecycleState', 'model', 'patientId', 'serialNumber'];
          expect(Object.keys(items[0] ?? {}).sort()).toEqual(fields);
          expect(items[0]?.patientId).toBe(demoPatients.p1.id);
        }
      },
    );
  });
});

describe('health', () => {
  it.each(cells(health))('%s: GET /api/health %s → %i', async (caller, probe, status) => {
    const res = await t.request('GET', probe === 'live' ? '/api/health' : '/api/health/ready', as(caller));
    expect(res.status).toBe(status);
  });
});

const tenantRow = { acme, globex };
const tenantTarget = (c: 'acme' | 'globex') => {
  const { id, slug, name } = tenantRow[c];
  return { table: 'tenants' as const, id, reveals: [id, slug, name] };
};
matrix('GET /api/v1/tenants/:id', tenantRead, async (c) => ({
  method: 'GET',
  url: `/api/v1/tenants/${tenantRow[c].id}`,
  permission: 'read:Tenant',
  target: tenantTarget(c),
  onSuccess: (res) => expect(res.body.slug).toBe(tenantRow[c].slug),
}));
matrix('PATCH /api/v1/tenants/:id', tenantUpdate, async (c) => ({
  method: 'PATCH',
  url: `/api/v1/tenants/${tenantRow[c].id}`,
  body: { name: tenantRow[c].name },
  headers: await ifMatch('tenants', tenantRow[c].id),
  permission: 'update:Tenant',
  target: tenantTarget(c),
}));
matrix('POST /api/v1/tenants', tenantCreate, async () => {
  const slug = `fx-${uniqueSuffix().toLowerCase()}`;
  return {
    method: 'POST',
    url: '/api/v1/tenants',
    body: { slug, name: 'Fixture tenant' },
    permission: 'create:Tenant',
    creates: { table: 'tenants', column: 'slug', value: slug },
    onSuccess: (res) => expect(res.body.slug).toBe(slug),
  };
});

const siteRow = { north, south, lab: globexLab };
const siteTarget = (c: keyof typeof siteRow) => {
  const { id, code, name } = siteRow[c];
  return { table: 'sites' as const, id, reveals: [id, code, name] };
};
matrix('GET /api/v1/sites/:id', siteRead, async (c) => ({
  method: 'GET',
  url: `/api/v1/sites/${siteRow[c].id}`,
  permission: 'read:Site',
  target: siteTarget(c),
  onSuccess: (res) => expect(res.body.code).toBe(siteRow[c].code),
}));
matrix('PATCH /api/v1/sites/:id', siteUpdate, async (c) => ({
  method: 'PATCH',
  url: `/api/v1/sites/${siteRow[c].id}`,
  body: { name: siteRow[c].name },
  headers: await ifMatch('sites', siteRow[c].id),
  permission: 'update:Site',
  target: siteTarget(c),
}));
matrix('POST /api/v1/sites', siteCreate, async (c) => {
  const code = `FX${uniqueSuffix()}`;
  return {
    method: 'POST',
    url: '/api/v1/sites',
    body: { tenantId: tenantRow[c].id, code, name: 'Fixture site' },
    permission: 'create:Site',
    creates: { table: 'sites', column: 'code', value: code },
    onSuccess: (res) => expect(res.body).toMatchObject({ code, tenantId: tenantRow[c].id }),
  };
});

/** The account a users cell is about: the caller's own, or a fresh account of Acme or Globex. */
async function userFor(column: 'self' | 'acme' | 'patient' | 'globex', caller: Caller) {
  if (column === 'patient') return insertUser(t, acme.id, 'data-subject');
  if (column !== 'self') return insertUser(t, tenantRow[column].id);
  const username = caller === 'anonymous' ? 'tenant-admin' : caller;
  return { id: demoUserId(username), username };
}
matrix('GET /api/v1/users/:id and /users/me', userRead, async (c, caller) => {
  const user = c === 'me' ? null : await userFor(c, caller);
  return {
    method: 'GET',
    url: `/api/v1/users/${user?.id ?? 'me'}`,
    permission: 'read:User',
    ...(user && c !== 'self'
      ? { target: { table: 'users' as const, id: user.id, reveals: [user.id, user.username] } }
      : {}),
    onSuccess: (res) => expect(res.body.id).toBe(user?.id ?? demoUserId(caller)),
  };
});
matrix('PATCH /api/v1/users/:id', userUpdate, async (c, caller) => {
  const user = await userFor(c, caller);
  const displayName = demoUsers.find((u) => u.id === user.id)?.displayName ?? 'Fixture';
  return {
    method: 'PATCH',
    url: `/api/v1/users/${user.id}`,
    body: { displayName },
    headers: await ifMatch('users', user.id),
    permission: 'update:User',
    target: { table: 'users', id: user.id, reveals: c === 'self' ? [] : [user.id, user.username] },
  };
});

async function device(where: Where, state: DeviceFixture['state']) {
  const { id, serial } = await insertDevice(t, { ...deviceAt[where], state });
  return { id, serial, target: { table: 'devices' as const, id, reveals: [id, serial] } };
}
matrix('GET /api/v1/devices/:id', deviceRead, async (where, caller) => {
  const d = await device(where, 'active');
  return {
    method: 'GET',
    url: `/api/v1/devices/${d.id}`,
    permission: 'read:Device',
    target: d.target,
    onSuccess: (res) => {
      expect(res.body.serialNumber).toBe(d.serial);
      // Without a declared purpose, only the data subject sees which patient wears the device.
      expect('patientId' in res.body).toBe(caller === 'subject');
    },
  };
});
matrix('PATCH /api/v1/devices/:id', deviceOperate, async (where) => {
  const d = await device(where, 'active');
  return {
    method: 'PATCH',
    url: `/api/v1/devices/${d.id}`,
    body: { firmwareVersion: '9.9.9' },
    headers: { 'if-match': '"1"' },
    permission: 'update:Device',
    target: d.target,
    onSuccess: (res) => {
      expect(res.body.firmwareVersion).toBe('9.9.9');
      expect(res.body).not.toHaveProperty('patientId');
    },
  };
});
matrix('POST /api/v1/devices', deviceCreate, async (c) => {
  const serial = `FX-${uniqueSuffix()}`;
  return {
    method: 'POST',
    url: '/api/v1/devices',
    body: { tenantId: tenantRow[c].id, serialNumber: serial, model: 'Fixture 1' },
    permission: 'create:Device',
    creates: { table: 'devices', column: 'serial_number', value: serial },
    onSuccess: (res) =>
      expect(res.body).toMatchObject({ serialNumber: serial, lifecycleState: 'manufactured' }),
  };
});

async function unassignedDevice(where: Unassigned, state: 'manufactured' | 'provisioned') {
  const { id, serial } = await insertDevice(t, { ...unassignedAt[where], state });
  return { id, serial, target: { table: 'devices' as const, id, reveals: [id, serial] } };
}
const unclaimedLifecycle = [
  ['provision', 'manufactured', 'provisioned', deviceProvision],
  ['claim', 'provisioned', 'claimed', deviceClaim],
] as const;
for (const [action, from, to, table] of unclaimedLifecycle) {
  matrix(`POST /api/v1/devices/:id/${action}`, table, async (where) => {
    const d = await unassignedDevice(where, from);
    return {
      method: 'POST',
      url: `/api/v1/devices/${d.id}/${action}`,
      ...(action === 'claim' ? { body: { siteId: where === 'globex' ? globexLab.id : north.id } } : {}),
      headers: { 'if-match': '"1"' },
      permission: `${action}:Device`,
      target: d.target,
      onSuccess: (res) => expect(res.body.lifecycleState).toBe(to),
    };
  });
}
const claimedLifecycle = [
  ['activate', 'suspended', 'active', deviceOperate],
  ['suspend', 'active', 'suspended', deviceOperate],
  ['decommission', 'active', 'decommissioned', deviceAdminister],
] as const;
for (const [action, from, to, table] of claimedLifecycle) {
  matrix(`POST /api/v1/devices/:id/${action}`, table, async (where) => {
    const d = await device(where, from);
    return {
      method: 'POST',
      url: `/api/v1/devices/${d.id}/${action}`,
      headers: { 'if-match': '"1"' },
      permission: `${action}:Device`,
      target: d.target,
      onSuccess: (res) => {
        expect(res.body.lifecycleState).toBe(to);
        expect(res.body).not.toHaveProperty('patientId');
      },
    };
  });
}
