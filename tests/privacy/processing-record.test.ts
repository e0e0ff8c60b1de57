/**
 * The record of processing activities (GDPR art. 30) through the real API: generated from
 * policies/privacy/ for the caller's organisation, with the retention periods in force for it, and
 * exported as JSON, CSV and Markdown, each export recorded in the audit trail.
 */
import { loadPrivacyDeclarations } from '@custos/policies';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTenants, demoUserByName } from '../../backend/src/launcher/demo-data.js';
import { csvColumns, md } from '../../backend/src/modules/privacy/records/processing-record.formats.js';
import { expectProblem } from '../api/support/fixtures.js';
import { entriesOf } from '../support/audit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

const { processing, dataMap, schedules } = loadPrivacyDeclarations();
const personalCategories = [...dataMap.categories.values()].filter((c) => c.personal).map((c) => c.name);

/** RFC 4180, as a spreadsheet would read it: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (quoted && c === '"' && next === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && next === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe('the record of processing', () => {
  it('lists every purpose as an activity and every category of personal data', async () => {
    const res = await t.request('GET', '/api/v1/privacy/processing-record', { as: 'privacy' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: demoTenants.acme.id,
      controller: { tenantId: demoTenants.acme.id, name: demoTenants.acme.name, platformRole: 'processor' },
      security: processing.security,
      transfers: [],
    });
    expect(Date.now() - Date.parse(res.body.generatedAt)).toBeLessThan(60_000);
    expect(res.body.activities.map((a: { id: string }) => a.id)).toEqual(
      processing.purposes.map((p) => p.id),
    );
    const covered = new Set(
      res.body.activities.flatMap((a: { categories: Array<{ name: string }> }) =>
        a.categories.map((c) => c.name),
      ),
    );
    expect(personalCategories.filter((c) => !covered.has(c))).toEqual([]);

    const care = res.body.activities.find((a: { id: string }) => a.id === 'care');
    const telemetry = care.categories.find((c: { name: string }) => c.name === 'user.device.telemetry');
    expect(telemetry).toMatchObject({
      special: true,
      description: dataMap.categories.get('user.device.telemetry')?.description,
    });
    expect(telemetry.tables).toContainEqual({
      table: 'telemetry',
      columns: expect.arrayContaining(['metrics']),
    });
    expect(care.retention).toEqual([
      expect.objectContaining({
        schedule: 'telemetry.health',
        days: 90,
        defaultDays: 90,
        tenantChosen: false,
      }),
    ]);
    const analytics = res.body.activities.find((a: { id: string }) => a.id === 'analytics');
    expect(analytics).toMatchObject({ consent: 'required', objection: 'allowed' });
  });

  it('shows the retention period the organisation chose, within the schedule’s bounds', async () => {
    const by = demoUserByName('privacy')?.id as string;
    const acme = demoTenants.acme.id;
    await t.adminPool.query(sql.unsafe`
      INSERT INTO retention_settings (tenant_id, schedule, days, updated_by)
      VALUES (${acme}, 'telemetry.health', 365, ${by}), (${acme}, 'device.commands', 5, ${by})
      ON CONFLICT (tenant_id, schedule) DO UPDATE SET days = excluded.days`);
    const res = await t.request('GET', '/api/v1/privacy/processing-record', { as: 'compliance' });
    const retention = res.body.activities.flatMap((a: { retention: object[] }) => a.retention);
    const health = retention.filter((r: { schedule: string }) => r.schedule === 'telemetry.health');
    expect(health.length).toBeGreaterThan(1);
    for (const r of health) expect(r).toMatchObject({ days: 365, defaultDays: 90, tenantChosen: true });
    // device.commands allows no choice (a six-year legal duty): the stray setting changes nothing.
    const commands = retention.find((r: { schedule: string }) => r.schedule === 'device.commands');
    const declared = schedules.find((s) => s.id === 'device.commands');
    expect(commands).toMatchObject({ days: declared?.days, tenantChosen: false, basis: declared?.basis });
  });

  it('exports JSON, CSV (one row per activity and category) and Markdown as downloads, each audited', async () => {
    const expectedRows = processing.purposes.reduce((n, p) => n + p.categories.length, 0);
    for (const [format, type] of [
      ['json', 'application/json'],
      ['csv', 'text/csv'],
      ['md', 'text/markdown'],
    ] as const) {
      const res = await t.request('GET', `/api/v1/privacy/processing-record/export?format=${format}`, {
        as: 'auditor',
      });
      expect(res.status, res.text).toBe(200);
      expect(String(res.headers['content-type'])).toContain(type);
      expect(String(res.headers['content-disposition'])).toMatch(
        new RegExp(
          `^attachment; filename="record-of-processing-acme-health-\\d{4}-\\d{2}-\\d{2}\\.${format}"$`,
        ),
      );
      if (format === 'json') expect(JSON.parse(res.text).activities).toHaveLength(processing.purposes.length);
      if (format === 'csv') {
        const [header, ...rows] = parseCsv(res.text.replace(/^\ufeff/, ''));
        expect(header).toEqual([...csvColumns]);
        expect(rows).toHaveLength(expectedRows);
        expect(rows.every((row) => row.length === csvColumns.length)).toBe(true);
        const pairs = rows.map((row) => `${row[0]}/${row[4]}`);
        for (const p of processing.purposes)
          for (const c of p.categories) expect(pairs).toContain(`${p.id}/${c}`);
        const care = rows.find((row) => row[0] === 'care' && row[4] === 'user.device.telemetry');
        expect(care?.[6]).toBe('yes');
        expect(care?.[9]).toContain('telemetry.health: 365 days');
      }
      if (format === 'md') {
        expect(res.text).toMatch(/^# Record of processing activities\n/);
        expect(res.text).toContain('**Acme Health**');
        for (const p of processing.purposes) expect(res.text).toContain(`. ${p.name}\n`);
        for (const m of processing.security) expect(res.text).toContain(`- ${md(m)}\n`);
      }
      const events = await entriesOf(t, String(res.headers['x-request-id']));
      expect(events.filter((e) => e.type !== 'auth.signed_in')).toEqual([
        expect.objectContaining({
          type: 'privacy.processing_record_exported',
          outcome: 'allowed',
          resource: { type: 'ProcessingRecord', id: null, tenantId: demoTenants.acme.id },
          payload: { format, activities: processing.purposes.length },
        }),
      ]);
    }
  });

  it('defuses a tenant name that a spreadsheet would run as a formula, and escapes it in Markdown', async () => {
    await t.adminPool.query(
      sql.unsafe`UPDATE tenants SET name = '=HYPERLINK("x"), *bold*' WHERE id = ${demoTenants.acme.id}`,
    );
    try {
      const csv = await t.request('GET', '/api/v1/privacy/processing-record/export?format=csv', {
        as: 'privacy',
      });
      const [, first] = parseCsv(csv.text.replace(/^\ufeff/, ''));
      expect(first?.at(-1)).toBe(`'=HYPERLINK("x"), *bold*`);
      const md = await t.request('GET', '/api/v1/privacy/processing-record/export?format=md', {
        as: 'privacy',
      });
      expect(md.text).toContain('**=HYPERLINK("x"), \\*bold\\***');
    } finally {
      await t.adminPool.query(
        sql.unsafe`UPDATE tenants SET name = ${demoTenants.acme.name} WHERE id = ${demoTenants.acme.id}`,
      );
    }
  });
});

describe('who may', () => {
  it.each(['privacy', 'compliance', 'auditor'])(
    '%s reads and exports their organisation’s record',
    async (as) => {
      expect((await t.request('GET', '/api/v1/privacy/processing-record', { as })).status).toBe(200);
      expect(
        (await t.request('GET', '/api/v1/privacy/processing-record/export?format=md', { as })).status,
      ).toBe(200);
    },
  );

  it.each(['operator', 'tenant-admin', 'clinician', 'subject', 'admin', 'operator-globex'])(
    '%s neither reads nor exports it (403, and a refused export leaves no export event)',
    async (as) => {
      const read = await t.request('GET', '/api/v1/privacy/processing-record', { as });
      expectProblem(read, 403);
      expect(read.body.permission).toBe('read:ProcessingRecord');
      const exported = await t.request('GET', '/api/v1/privacy/processing-record/export', { as });
      expectProblem(exported, 403);
      expect(exported.body.permission).toBe('export:ProcessingRecord');
      const events = await entriesOf(t, String(exported.headers['x-request-id']));
      expect(events.map((e) => e.type).filter((type) => type !== 'auth.signed_in')).toEqual([
        'access.denied',
      ]);
    },
  );
});
