/**
 * The data-subject section of `npm run bench:privacy`: one patient with SUBJECT_ROWS telemetry rows
 * (1,000,000 by default; --subject-rows) over the last 10 days, then an access request's export
 * (target under 20 s and under 300 MB peak RSS) and the erasure of the same person (target under
 * 60 s), each fulfilled by the backend's FulfilmentService in a child process of its own (see
 * subject-child.ts), so the peak memory measured is the request's. Plain TypeScript.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import type { BenchContext, Section, TableRow } from './section.ts';

const run = promisify(execFile);
const ACME = '0a1c0000-0000-4000-8000-000000000001';
const DAYS = 10;

interface ChildResult {
  ms: number;
  rssBeforeMB: number;
  maxRssMB: number;
  outcome: { counts: Record<string, number>; file?: { bytes: number } };
}

export const subjectSection: Section = {
  name: 'subject',
  async run(ctx: BenchContext) {
    const rows = ctx.settings.subjectRows;
    const owner = new pg.Client({ connectionString: ctx.ownerUrl });
    await owner.connect();
    const patientId = randomUUID();
    const deviceId = randomUUID();
    try {
      await owner.query(`INSERT INTO patients (id, tenant_id, code) VALUES ($1, $2, $3)`, [
        patientId,
        ACME,
        `BENCH-${patientId.slice(0, 8)}`,
      ]);
      await owner.query(
        `INSERT INTO devices (id, tenant_id, serial_number, model, patient_id, data_category)
         VALUES ($1, $2, $3, 'vital-sign-monitor', $4, 'health')`,
        [deviceId, ACME, `BENCH-${deviceId.slice(0, 8)}`, patientId],
      );
      ctx.progress(`subject: ${rows.toLocaleString('en')} telemetry rows of one patient over ${DAYS} days`);
      const perDay = Math.ceil(rows / DAYS);
      for (let d = 0; d < DAYS; d++) {
        const day = new Date(Date.now() - (d + 1) * 86_400_000).toISOString().slice(0, 10);
        await owner.query('SELECT telemetry_ensure_partition($1::date)', [day]);
        await owner.query(
          `INSERT INTO telemetry (device_id, measured_at, seq, tenant_id, patient_id, metrics)
           SELECT $1, $2::date + i * (interval '86399 seconds' / $3), i, $4, $5,
                  jsonb_build_object('heartRate', 60 + i % 40, 'spo2', 90 + i % 10, 'temperature', 36.5)
           FROM generate_series(0, $3 - 1) AS i`,
          [deviceId, day, Math.min(perDay, rows - d * perDay), ACME, patientId],
        );
      }
      await owner.query('VACUUM ANALYZE telemetry');
      const request = async (type: 'access' | 'erasure') => {
        const id = randomUUID();
        const hex = randomUUID().replace(/-/g, '').toUpperCase();
        const reference = `DSR-${hex.slice(0, 4)}-${hex.slice(4, 8)}`;
        await owner.query(
          `INSERT INTO privacy_requests (id, tenant_id, reference, type, status, jurisdiction, due_at,
                                         subject_patient_id, identity_method, identity_verified_at)
           VALUES ($1, $2, $3, $4, 'in-progress', 'gdpr', now() + interval '30 days', $5, 'officer', now())`,
          [id, ACME, reference, type, patientId],
        );
        return {
          id,
          tenantId: ACME,
          type,
          subjectPatientId: patientId,
          subjectUserId: null,
          rectification: null,
          objectionPurposes: [],
        };
      };
      const fulfil = async (type: 'access' | 'erasure'): Promise<ChildResult> => {
        ctx.progress(`subject: ${type}`);
        const child = new URL('./subject-child.ts', import.meta.url).pathname;
        const argument = JSON.stringify({
          appUrl: ctx.appUrl,
          request: await request(type),
          batchSize: ctx.settings.batchSize,
        });
        const { stdout } = await run(process.execPath, [child, argument], { maxBuffer: 16 * 2 ** 20 });
        return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult;
      };
      const access = await fulfil('access');
      const erasure = await fulfil('erasure');
      const left = Number(
        (await owner.query('SELECT count(*) FROM telemetry WHERE patient_id = $1', [patientId])).rows[0]
          .count,
      );
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      const exported = access.outcome.counts.telemetry ?? 0;
      const table: TableRow[] = [
        {
          measurement: `access export, ${exported.toLocaleString('en')} telemetry rows`,
          measured: seconds(access.ms),
          target: '< 20 s',
          result: access.ms < 20_000 ? 'met' : 'missed',
        },
        {
          measurement: 'access export, peak RSS of its process',
          measured: `${access.maxRssMB.toFixed(0)} MB (${access.rssBeforeMB.toFixed(0)} MB before)`,
          target: '< 300 MB',
          result: access.maxRssMB < 300 ? 'met' : 'missed',
        },
        {
          measurement: `erasure, ${(erasure.outcome.counts.telemetry ?? 0).toLocaleString('en')} telemetry rows`,
          measured: seconds(erasure.ms),
          target: '< 60 s',
          result: erasure.ms < 60_000 && left === 0 ? 'met' : 'missed',
        },
      ];
      return {
        table,
        json: {
          rows,
          access: {
            seconds: access.ms / 1000,
            maxRssMB: access.maxRssMB,
            rssBeforeMB: access.rssBeforeMB,
            bundleBytes: access.outcome.file?.bytes ?? null,
            counts: access.outcome.counts,
          },
          erasure: {
            seconds: erasure.ms / 1000,
            maxRssMB: erasure.maxRssMB,
            counts: erasure.outcome.counts,
            left,
          },
        },
      };
    } finally {
      await owner.end();
    }
  },
};
