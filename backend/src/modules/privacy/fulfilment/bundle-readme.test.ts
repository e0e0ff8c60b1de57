/** The README of a bundle: the art. 15(1)–(2) information, generated from the declarations for what the copy holds. */
import { loadPrivacyDeclarations, type MappedTable } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { bundleReadme, type ReadmeInput } from './bundle-readme.js';

const declarations = loadPrivacyDeclarations();
const table = (name: string) => declarations.dataMap.tables.get(name) as MappedTable;

const input = (overrides: Partial<ReadmeInput> = {}): ReadmeInput => ({
  type: 'access',
  reference: 'DSR-AAAA-BBBB',
  generatedAt: '2026-11-25T10:00:00.000Z',
  jurisdiction: { name: 'European Union (GDPR)', complaintAuthority: 'supervisory-authority' },
  files: [
    { table: table('telemetry'), rows: 3 },
    { table: table('consent_records'), rows: 1 },
    { table: table('care_assignments'), rows: 0 },
  ],
  trailEvents: 2,
  tenantDays: new Map(),
  ...overrides,
});

describe('bundleReadme', () => {
  it('lists the files with their records, and the purposes, recipients and periods that apply', () => {
    const text = bundleReadme(input(), declarations);
    expect(text).toContain('data/telemetry.json and data/telemetry.csv (3 records)');
    expect(text).toContain('data/consent_records.json and data/consent_records.csv (1 record)');
    expect(text).not.toContain('care_assignments'); // nothing there
    expect(text).toContain('audit-trail.json (2 events)');
    expect(text).toContain('Monitoring patients for their care');
    expect(text).toContain('Analytics and service improvement');
    expect(text).not.toContain('Operating the device fleet'.toUpperCase());
    expect(text).toContain('Measurements of devices that monitor a patient (health data). 90 days');
    expect(text).toContain('special category: health data');
    expect(text).toContain('observed about you');
    expect(text).toContain('you gave it to us');
  });

  it('uses the tenant’s chosen period and the complaint authority of the request’s jurisdiction', () => {
    const text = bundleReadme(
      input({
        tenantDays: new Map([['telemetry.health', 365]]),
        jurisdiction: { name: 'UK', complaintAuthority: 'ico' },
      }),
      declarations,
    );
    expect(text).toContain('(health data). 365 days');
    expect(text).toContain('Information Commissioner’s Office');
  });

  it('holds every part of art. 15(1) and 15(2) for access, only the file guide for portability', () => {
    const access = bundleReadme(input(), declarations);
    for (const letter of 'abcdefgh') expect(access).toContain(`art. 15(1)(${letter})`);
    expect(access).toContain('TRANSFERS OUTSIDE THE EEA (art. 15(2))');
    const portable = bundleReadme(input({ type: 'portability', trailEvents: null }), declarations);
    expect(portable).toContain('portable format');
    expect(portable).not.toContain('art. 15');
    expect(portable).not.toContain('audit-trail.json');
  });
});
