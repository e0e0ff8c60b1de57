/**
 * What a retention run applies: for each schedule of policies/privacy/retention.yaml, the cutoff
 * before which data has outlived its period, per tenant where the tenant chose its own period.
 * Pure functions of the run's start and the tenants' settings, so a dry run and the real run that
 * follows it (and a retried run) decide alike.
 *
 * Cutoffs fall on UTC midnights: data is kept at least its period in whole days and goes on the
 * first run after. Aligned with telemetry's daily partitions, a day expires all at once and its
 * partition can be dropped instead of its rows deleted.
 */
import { effectiveDays, type RetentionSchedule } from '@custos/policies';

const DAY_MS = 86_400_000;

/** The schedule's period for one tenant, and the instant before which its data expired. */
export interface Period {
  days: number;
  cutoff: string;
}

export interface SchedulePlan {
  schedule: RetentionSchedule;
  /** The period of tenants that chose none (and of data that belongs to no tenant). */
  standard: Period;
  /** Tenants whose own choice gives another period. */
  byTenant: ReadonlyMap<string, Period>;
}

export interface RunScope {
  /** null: every tenant (the scheduled run); else the one tenant a manual run covers. */
  tenantId: string | null;
}

/** Tenant choices, schedule → tenant → days (rows of retention_settings). */
export type TenantSettings = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** Midnight UTC of the day `instant` falls on. */
export function utcMidnight(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / DAY_MS) * DAY_MS);
}

export function cutoffAfter(runStart: Date, days: number): string {
  return new Date(utcMidnight(runStart).getTime() - days * DAY_MS).toISOString();
}

export function planSchedules(
  schedules: readonly RetentionSchedule[],
  settings: TenantSettings,
  runStart: Date,
  scope: RunScope,
): SchedulePlan[] {
  return schedules.map((schedule) => {
    const period = (days: number): Period => ({ days, cutoff: cutoffAfter(runStart, days) });
    const byTenant = new Map<string, Period>();
    for (const [tenantId, choice] of settings.get(schedule.id) ?? []) {
      if (scope.tenantId !== null && tenantId !== scope.tenantId) continue;
      const days = effectiveDays(schedule, choice);
      if (days !== schedule.days) byTenant.set(tenantId, period(days));
    }
    return { schedule, standard: period(schedule.days), byTenant };
  });
}

/** The period that applies to a tenant's data (null: data of no tenant). */
export function periodFor(plan: SchedulePlan, tenantId: string | null): Period {
  return (tenantId !== null && plan.byTenant.get(tenantId)) || plan.standard;
}

/** Every cutoff that can apply to rows the run may touch. */
export function cutoffsInScope(plan: SchedulePlan, scope: RunScope): string[] {
  if (scope.tenantId !== null) return [periodFor(plan, scope.tenantId).cutoff];
  return [plan.standard.cutoff, ...[...plan.byTenant.values()].map((p) => p.cutoff)];
}

/** `telemetry_20260105` → `2026-01-05`; null for any other name. */
export function partitionDay(name: string): string | null {
  const match = /^telemetry_(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

export function partitionName(day: string): string {
  return `telemetry_${day.replaceAll('-', '')}`;
}

/** The instant a day's partition ends (its upper bound, exclusive). */
export function dayEnd(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString();
}

export function dayStart(day: string): string {
  return `${day}T00:00:00.000Z`;
}

/**
 * Partitions that may hold expired rows: those that end on or before the latest cutoff in scope.
 * Oldest first, so that an interrupted run has removed the oldest data.
 */
export function candidateDays(
  days: readonly string[],
  plans: readonly SchedulePlan[],
  scope: RunScope,
): string[] {
  const latest = latestCutoff(plans, scope);
  if (latest === null) return [];
  return days.filter((day) => dayEnd(day) <= latest).sort();
}

/** The latest cutoff in scope (ISO instants sort as text), or null without schedules. */
export function latestCutoff(plans: readonly SchedulePlan[], scope: RunScope): string | null {
  return (
    plans
      .flatMap((plan) => cutoffsInScope(plan, scope))
      .sort()
      .at(-1) ?? null
  );
}

/**
 * Whether every row of the day is expired whatever its tenant and schedule: then no row needs
 * looking at to know that the whole day may go (unless a hold applies, which the caller checks).
 */
export function wholeDayExpired(day: string, plans: readonly SchedulePlan[], scope: RunScope): boolean {
  return plans.every((plan) => cutoffsInScope(plan, scope).every((cutoff) => dayEnd(day) <= cutoff));
}
