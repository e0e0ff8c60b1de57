import { describe, expect, it } from 'vitest';
import type { RetentionRun, RetentionScheduleOutcome } from '@/features/api/types';
import { reportIsEmpty, reportLines } from './run-summary';

const outcome = (schedule: string, rows: number): RetentionScheduleOutcome => ({
  schedule,
  category: 'user.device.telemetry',
  action: 'drop-partitions',
  table: 'telemetry',
  days: 90,
  cutoff: '2026-01-01T00:00:00.000Z',
  rows,
  partitions: 0,
  held: 0,
  pastPeriod: 0,
  from: null,
  to: null,
});
const run = (report: RetentionRun['report']): RetentionRun => ({
  id: 'r',
  dryRun: true,
  status: 'completed',
  trigger: 'manual',
  tenantId: 't1',
  slot: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  requestedBy: null,
  report,
});

describe('run summary', () => {
  it('lists every schedule outcome with its tenant', () => {
    const lines = reportLines(
      run({
        trigger: 'manual',
        scope: { tenantId: 't1' },
        slot: null,
        startedAt: '',
        finishedAt: null,
        totals: { rows: 5, partitions: 0, held: 0, pastPeriod: 0 },
        partitions: [],
        tenants: [
          {
            tenantId: 't1',
            schedules: [outcome('telemetry.health', 5), outcome('device.commands', 0)],
            holds: [],
          },
        ],
        receipts: [],
      }),
    );
    expect(lines.map((line) => [line.tenantId, line.schedule, line.rows])).toEqual([
      ['t1', 'telemetry.health', 5],
      ['t1', 'device.commands', 0],
    ]);
  });

  it('calls a run without a report, or with nothing in it, empty', () => {
    expect(reportLines(run(null))).toEqual([]);
    expect(reportIsEmpty(run(null))).toBe(true);
  });
});
