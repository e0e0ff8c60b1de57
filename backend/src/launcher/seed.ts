/**
 * Seeds the demo world (idempotent: running it again changes nothing). Used by `npm start` and as
 * the starting state of the integration tests.
 */
import { type DatabasePool, sql } from 'slonik';
import { demoPatients, demoSites, demoTenants, demoUsers } from './demo-data.js';

interface DemoDevice {
  serial: string;
  model: string;
  tenantId: string;
  siteId: string | null;
  state: 'manufactured' | 'provisioned' | 'claimed' | 'active' | 'suspended';
  patientId?: string;
  labels?: Record<string, string>;
}

const { acme, globex } = demoTenants;
const { north, south, globexLab } = demoSites;

export const demoDevices: readonly DemoDevice[] = [
  {
    serial: 'ACME-N-0001',
    model: 'CX-Temp 2',
    tenantId: acme.id,
    siteId: north.id,
    state: 'active',
    labels: { ward: 'icu' },
  },
  {
    serial: 'ACME-N-0002',
    model: 'CX-Pulse 1',
    tenantId: acme.id,
    siteId: north.id,
    state: 'active',
    patientId: demoPatients.p1.id,
    labels: { ward: 'cardio' },
  },
  {
    serial: 'ACME-N-0003',
    model: 'CX-Pulse 1',
    tenantId: acme.id,
    siteId: north.id,
    state: 'suspended',
    patientId: demoPatients.p3.id,
  },
  {
    serial: 'ACME-S-0001',
    model: 'CX-Temp 2',
    tenantId: acme.id,
    siteId: south.id,
    state: 'active',
    labels: { ward: 'pharmacy' },
  },
  {
    serial: 'ACME-S-0002',
    model: 'CX-Pulse 1',
    tenantId: acme.id,
    siteId: south.id,
    state: 'claimed',
    patientId: demoPatients.p2.id,
  },
  { serial: 'ACME-U-0001', model: 'CX-Temp 2', tenantId: acme.id, siteId: null, state: 'provisioned' },
  { serial: 'ACME-U-0002', model: 'CX-Temp 2', tenantId: acme.id, siteId: null, state: 'manufactured' },
  {
    serial: 'GLX-0001',
    model: 'ColdChain 5',
    tenantId: globex.id,
    siteId: globexLab.id,
    state: 'active',
    labels: { freezer: 'f1' },
  },
  { serial: 'GLX-0002', model: 'ColdChain 5', tenantId: globex.id, siteId: globexLab.id, state: 'active' },
];

export async function seedDemo(pool: DatabasePool, issuer: string): Promise<void> {
  await pool.transaction(async (tx) => {
    for (const t of Object.values(demoTenants)) {
      await tx.query(sql.unsafe`
        INSERT INTO tenants (id, slug, name) VALUES (${t.id}, ${t.slug}, ${t.name}) ON CONFLICT (id) DO NOTHING`);
    }
    for (const s of Object.values(demoSites)) {
      await tx.query(sql.unsafe`
        INSERT INTO sites (id, tenant_id, code, name, timezone)
        VALUES (${s.id}, ${s.tenantId}, ${s.code}, ${s.name}, 'Europe/London') ON CONFLICT (id) DO NOTHING`);
    }
    for (const p of Object.values(demoPatients)) {
      await tx.query(sql.unsafe`
        INSERT INTO patients (id, tenant_id, code) VALUES (${p.id}, ${p.tenantId}, ${p.code}) ON CONFLICT (id) DO NOTHING`);
    }
    for (const u of demoUsers) {
      await tx.query(sql.unsafe`
        INSERT INTO users (id, external_id, issuer, tenant_id, username, display_name, roles, site_ids, subject_patient_id)
        VALUES (${u.id}, ${u.id}, ${issuer}, ${u.tenantId}, ${u.username}, ${u.displayName},
                ${sql.array(u.roles, 'text')}, ${sql.array(u.siteIds, 'uuid')}, ${u.subjectPatientId})
        ON CONFLICT (id) DO NOTHING`);
      for (const patientId of u.assignedPatientIds) {
        await tx.query(sql.unsafe`
          INSERT INTO care_assignments (tenant_id, user_id, patient_id)
          VALUES (${u.tenantId}, ${u.id}, ${patientId}) ON CONFLICT DO NOTHING`);
      }
    }
    for (const d of demoDevices) {
      await tx.query(sql.unsafe`
        INSERT INTO devices (tenant_id, site_id, serial_number, model, firmware_version, labels, lifecycle_state,
                             patient_id, data_category)
        VALUES (${d.tenantId}, ${d.siteId}, ${d.serial}, ${d.model}, '1.4.2', ${sql.jsonb(d.labels ?? {})}, ${d.state},
                ${d.patientId ?? null}, ${d.patientId ? 'health' : 'operational'})
        ON CONFLICT (tenant_id, serial_number) DO NOTHING`);
    }
  });
}
