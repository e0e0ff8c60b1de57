/** Which tables and columns a copy of a subject's data holds, and how their rows are found. */
import { loadPrivacyDeclarations } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { exportedColumns, subjectWhere, tablesFor, tablesLeftOut } from './subject-rows.js';

const { dataMap } = loadPrivacyDeclarations();
const table = (name: string) => {
  const found = dataMap.tables.get(name);
  if (!found) throw new Error(name);
  return found;
};
const patient = { tenantId: 't1', patientIds: ['p1'], userIds: [] };
const types = new Map([
  ['telemetry.patient_id', 'uuid'],
  ['device_commands.requested_by', 'text'],
  ['devices.patient_id', 'uuid'],
]);

describe('tablesFor', () => {
  it('gives access every table linking to a subject, but what the data map leaves out and the trail', () => {
    const names = tablesFor(dataMap, 'access').map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['patients', 'users', 'telemetry', 'consent_records', 'device_commands']),
    );
    expect(names).not.toContain('audit_events'); // exported as audit-trail.json
    expect(tablesLeftOut(dataMap).map((t) => t.name)).toEqual(['privacy_request_files', 'legal_holds']);
    for (const left of tablesLeftOut(dataMap)) expect(names).not.toContain(left.name);
  });

  it('gives portability what the subject provided or what was observed about them', () => {
    const names = tablesFor(dataMap, 'portability').map((t) => t.name);
    expect([...names].sort()).toEqual(
      [
        'consent_records',
        'device_state',
        'privacy_requests',
        'processing_restrictions',
        'telemetry',
        'users',
      ].sort(),
    );
  });
});

describe('exportedColumns', () => {
  it('keeps personal data and identifiers, never security material or operational detail', () => {
    const names = (name: string) => exportedColumns(table(name)).map((c) => c.name);
    expect(names('privacy_requests')).toContain('contact_email');
    expect(names('privacy_requests')).not.toContain('access_token_sha256');
    expect(names('privacy_request_codes')).toEqual(['id', 'request_id', 'created_at']);
    expect(names('devices')).not.toContain('serial_number');
  });
});

describe('subjectWhere', () => {
  it('matches the subject’s column within their tenant', () => {
    const where = subjectWhere(table('telemetry'), patient, types);
    expect(where?.sql).toBe('(("t"."patient_id" = $slonik_1::uuid) AND "t"."tenant_id" = $slonik_2)');
    expect(where?.values).toEqual(['p1', 't1']);
    const two = subjectWhere(table('telemetry'), { ...patient, patientIds: ['p1', 'p9'] }, types);
    expect(two?.sql).toContain('"t"."patient_id" = ANY($slonik_1::"uuid"[])');
  });

  it('reaches rows through another table (via)', () => {
    const where = subjectWhere(table('device_state'), patient, types);
    expect(where?.sql).toContain('"t"."device_id" IN (\n        SELECT v.id FROM "devices" v');
    expect(where?.sql).toContain('"v"."patient_id" = $slonik_1::uuid');
  });

  it('compares a reference kept as text as text, and skips links of kinds the subject lacks', () => {
    const account = { tenantId: 't1', patientIds: [], userIds: ['u1'] };
    expect(subjectWhere(table('device_commands'), account, types)?.sql).toContain(
      '"t"."requested_by"::text = $slonik_1',
    );
    expect(subjectWhere(table('device_commands'), patient, types)).toBeNull();
    expect(subjectWhere(table('telemetry'), account, types)).toBeNull();
  });
});
