import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPrivacyDeclarations, PrivacyDeclarationError, parsePrivacyDeclarations } from './load.js';

const dir = fileURLToPath(new URL('../../privacy/', import.meta.url));
const texts = () => ({
  dataMap: readFileSync(`${dir}data-map.yaml`, 'utf8'),
  retention: readFileSync(`${dir}retention.yaml`, 'utf8'),
  processing: readFileSync(`${dir}processing.yaml`, 'utf8'),
});

const issuesOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof PrivacyDeclarationError) return error.issues;
    throw error;
  }
  return [];
};

describe('privacy declarations', () => {
  it('load, with every subject-linked table and every schedule', () => {
    const { dataMap, schedules, processing } = loadPrivacyDeclarations();
    expect(dataMap.tables.get('telemetry')?.links).toEqual([{ kind: 'patient', column: 'patient_id' }]);
    expect(dataMap.tables.get('device_state')?.links).toEqual([
      { kind: 'patient', via: { table: 'devices', on: 'device_id', column: 'patient_id' } },
    ]);
    expect(dataMap.subjectTables().map((t) => t.name)).toContain('consent_records');
    expect(schedules.find((s) => s.id === 'telemetry.health')?.tenantDays).toEqual({ min: 7, max: 3650 });
    expect(processing.purposes.find((p) => p.id === 'analytics')?.consent).toBe('required');
  });

  it('refuse a column with an unknown category, naming it', () => {
    const t = texts();
    t.dataMap = t.dataMap.replace('metrics: user.device.telemetry', 'metrics: user.made-up');
    expect(issuesOf(() => parsePrivacyDeclarations(t))).toEqual([
      'data-map.yaml tables.telemetry.columns.metrics: unknown category user.made-up',
    ]);
  });

  it('refuse a schedule on a column the data map does not know', () => {
    const t = texts();
    t.retention = t.retention.replace('age: measured_at', 'age: measured_on');
    expect(issuesOf(() => parsePrivacyDeclarations(t)).join('\n')).toMatch(
      /telemetry has no column measured_on/,
    );
  });

  it('refuse personal data that no purpose covers', () => {
    const t = texts();
    t.processing = t.processing.replace(
      'categories: [user.privacy.request, user.privacy.preference, user.contact.email]',
      'categories: [user.privacy.request, user.privacy.preference]',
    );
    expect(issuesOf(() => parsePrivacyDeclarations(t))).toContain(
      'processing.yaml categories.user.contact.email: personal data that no purpose covers',
    );
  });

  it('say where data comes from, what rectification corrects and what an access request leaves out', () => {
    const { dataMap } = loadPrivacyDeclarations();
    expect(dataMap.version).toBe(1);
    const table = (name: string) => dataMap.tables.get(name);
    expect([
      table('telemetry')?.origin,
      table('consent_records')?.origin,
      table('audit_events')?.origin,
    ]).toEqual(['observed', 'provided', 'platform']);
    // Tables that say nothing come from the organisation, and are exported.
    expect([table('tenants')?.origin, table('tenants')?.exported]).toEqual(['organisation', true]);
    expect(table('privacy_request_files')?.exported).toBe(false);
    const rectified = [...dataMap.tables.values()].flatMap((t) =>
      t.columns.filter((c) => c.rectify).map((c) => `${t.name}.${c.name}:${c.rectify}`),
    );
    expect(rectified).toEqual(['users.display_name:name', 'privacy_requests.contact_email:email']);
    expect(table('privacy_requests')?.rectifyRows).toEqual({
      column: 'status',
      notIn: ['completed', 'rejected'],
    });
  });

  it('refuse a rectified column in a table that links to no subject, and rectifyRows on a missing column', () => {
    const t = texts();
    t.dataMap = t.dataMap
      .replace(
        '      name: system.organisation\n      timezone:',
        '      name: { category: system.organisation, rectify: name }\n      timezone:',
      )
      .replace('rectifyRows: { column: status,', 'rectifyRows: { column: state,');
    expect(issuesOf(() => parsePrivacyDeclarations(t))).toEqual([
      'data-map.yaml tables.sites: a rectified column needs the table to link to a subject',
      'data-map.yaml tables.privacy_requests.rectifyRows: no column state',
    ]);
  });

  it('refuse an attribute rectification does not know, and an unknown origin', () => {
    const t = texts();
    t.dataMap = t.dataMap
      .replace('rectify: name }', 'rectify: phone }')
      .replace('origin: observed\n', 'origin: guessed\n');
    const issues = issuesOf(() => parsePrivacyDeclarations(t)).join('\n');
    expect(issues).toMatch(/tables\.users\.columns\.display_name/);
    expect(issues).toMatch(/tables\.telemetry\.origin/);
  });

  it('refuse a kept table without a reason', () => {
    const t = texts();
    t.dataMap = t.dataMap.replace(
      '    reason: A legal hold is a duty to preserve (litigation, an investigation); it outlives an erasure request.\n',
      '',
    );
    expect(issuesOf(() => parsePrivacyDeclarations(t))).toEqual([
      'data-map.yaml tables.legal_holds: erasure keep needs a reason',
    ]);
  });
});
