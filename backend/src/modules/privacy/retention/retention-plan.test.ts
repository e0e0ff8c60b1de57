import { loadPrivacyDeclarations } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import {
  candidateDays,
  cutoffAfter,
  partitionDay,
  partitionName,
  periodFor,
  planSchedules,
  type SchedulePlan,
  wholeDayExpired,
} from './retention-plan.js';

const { schedules } = loadPrivacyDeclarations();
const telemetry = schedules.filter((s) => s.action === 'drop-partitions');
const runStart = new Date('2026-06-30T02:30:00.000Z');
const tenantA = '0a1c0000-0000-4000-8000-000000000001';
const tenantB = '0a1c0000-0000-4000-8000-000000000002';
const settings = new Map([
  [
    'telemetry.operational',
    new Map([
      [tenantA, 120],
      [tenantB, 1_000_000],
    ]),
  ],
]);

describe('retention plan', () => {
  it('puts cutoffs on UTC midnights, whole days before the run’s day', () => {
    expect(cutoffAfter(runStart, 90)).toBe('2026-04-01T00:00:00.000Z');
    expect(cutoffAfter(new Date('2026-06-30T23:59:59.999Z'), 1)).toBe('2026-06-29T00:00:00.000Z');
  });

  it('gives a tenant its own period, clamped to the schedule’s bounds, and others the default', () => {
    const [operational, health] = planSchedules(telemetry, settings, runStart, { tenantId: null }) as [
      SchedulePlan,
      SchedulePlan,
    ];
    expect(periodFor(operational, tenantA)).toEqual({ days: 120, cutoff: '2026-03-02T00:00:00.000Z' });
    expect(periodFor(operational, tenantB).days).toBe(3650);
    expect(periodFor(operational, 'another').days).toBe(90);
    expect(periodFor(health, tenantA).days).toBe(90);
  });

  it('ignores tenant choices where a schedule allows none, and other tenants in a run over one', () => {
    const fixed = schedules.filter((s) => s.id === 'device.commands');
    const choices = new Map([['device.commands', new Map([[tenantA, 10]])]]);
    const [plan] = planSchedules(fixed, choices, runStart, { tenantId: null });
    expect(plan?.byTenant.size).toBe(0);
    const [scoped] = planSchedules(telemetry, settings, runStart, { tenantId: tenantA });
    expect([...(scoped?.byTenant.keys() ?? [])]).toEqual([tenantA]);
  });

  it('picks the days that may hold expired rows, oldest first, and knows when a whole day expired', () => {
    const plans = planSchedules(telemetry, settings, runStart, { tenantId: null });
    const days = ['2026-04-01', '2026-03-31', '2020-01-01', '2026-06-29', '2026-03-01'];
    expect(candidateDays(days, plans, { tenantId: null })).toEqual([
      '2020-01-01',
      '2026-03-01',
      '2026-03-31',
    ]);
    // Tenant B keeps ten years: only days older than that are surely expired for everyone.
    expect(wholeDayExpired('2026-03-31', plans, { tenantId: null })).toBe(false);
    expect(wholeDayExpired('2016-06-01', plans, { tenantId: null })).toBe(true);
    expect(wholeDayExpired('2026-03-31', plans, { tenantId: tenantA })).toBe(false);
    expect(wholeDayExpired('2026-02-28', plans, { tenantId: tenantA })).toBe(true);
  });

  it('names partitions both ways', () => {
    expect(partitionName('2026-01-05')).toBe('telemetry_20260105');
    expect(partitionDay('telemetry_20260105')).toBe('2026-01-05');
    expect(partitionDay('telemetry_default')).toBeNull();
  });
});
