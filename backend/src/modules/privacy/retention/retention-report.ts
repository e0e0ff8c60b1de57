/**
 * The report of a retention run, kept up to date in `retention_runs.report` in the same transaction
 * as every batch it counts: so the counts are exact even when a run is cut short and resumed, and a
 * run in progress shows how far it got. Counts only, per tenant and schedule: never personal data.
 */
import type { RetentionAction } from '@custos/policies';
import { z } from 'zod';
import { periodFor, type RunScope, type SchedulePlan } from './retention-plan.js';

export interface Tally {
  /** Rows removed (delete, drop-partitions) or anonymised; for a dry run, rows that would be. */
  rows: number;
  /** Daily partitions dropped that held rows of this tenant and schedule. */
  partitions: number;
  /** Rows past the period that legal holds kept. */
  held: number;
  /** review schedules: rows past the period, kept because the schedule only documents a minimum. */
  pastPeriod: number;
  /** The period the removed rows spanned (by the schedule's age column). */
  from: string | null;
  to: string | null;
}

export interface ScheduleOutcome extends Tally {
  schedule: string;
  category: string;
  action: RetentionAction;
  table: string;
  days: number;
  cutoff: string;
}

export interface TenantSection {
  /** null: data that belongs to no tenant (finished jobs). */
  tenantId: string | null;
  schedules: ScheduleOutcome[];
  /** Holds that kept rows back in this run. */
  holds: string[];
}

export const partitionOutcomes = ['dropped', 'trimmed', 'kept', 'gone'] as const;
export interface PartitionOutcome {
  day: string;
  /** dropped: the whole day went; trimmed: expired rows went, held or younger ones stayed; kept:
   * nothing could go; gone: another run dropped it first. */
  outcome: (typeof partitionOutcomes)[number];
  rows: number;
  held: number;
  /** Time of the drop itself (DETACH and DROP) or of the batches. */
  ms: number;
  /** The same counts per tenant, so that each tenant's officers see their part only. */
  tenants: Array<{ tenantId: string | null; rows: number; held: number }>;
}

export interface RetentionReport {
  runId: string;
  /** The attempt (job execution) that writes this report; a superseded attempt may not. */
  attempt: string;
  dryRun: boolean;
  trigger: 'scheduled' | 'manual';
  scope: RunScope;
  slot: string | null;
  startedAt: string;
  finishedAt: string | null;
  totals: { rows: number; partitions: number; held: number; pastPeriod: number };
  partitions: PartitionOutcome[];
  tenants: TenantSection[];
  /** Units of work finished (a partition day, a schedule), so a resumed run skips them. */
  done: string[];
  /** The signed receipts, one per tenant section, as recorded in the audit trail. */
  receipts: unknown[];
}

/** The schedules a tenant's section reports (tables of no tenant report only in the null section). */
export type PlansFor = (tenantId: string | null) => readonly SchedulePlan[];

const emptyTally = (): Tally => ({ rows: 0, partitions: 0, held: 0, pastPeriod: 0, from: null, to: null });
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

export function newReport(
  head: Pick<RetentionReport, 'runId' | 'attempt' | 'dryRun' | 'trigger' | 'scope' | 'slot' | 'startedAt'>,
  plansFor: PlansFor,
  tenants: readonly (string | null)[],
): RetentionReport {
  return {
    ...head,
    finishedAt: null,
    totals: { rows: 0, partitions: 0, held: 0, pastPeriod: 0 },
    partitions: [],
    tenants: tenants.map((tenantId) => sectionFor(tenantId, plansFor(tenantId))),
    done: [],
    receipts: [],
  };
}

function sectionFor(tenantId: string | null, plans: readonly SchedulePlan[]): TenantSection {
  return {
    tenantId,
    holds: [],
    schedules: plans.map((plan) => ({
      schedule: plan.schedule.id,
      category: plan.schedule.category,
      action: plan.schedule.action,
      table: plan.schedule.table,
      ...periodFor(plan, tenantId),
      ...emptyTally(),
    })),
  };
}

/** Adds counts to a report (in place); sections of tenants created during the run are added. */
export class ReportLedger {
  constructor(
    readonly report: RetentionReport,
    private readonly plansFor: PlansFor,
  ) {}

  add(tenantId: string | null, schedule: string, delta: Partial<Tally>): void {
    const outcome = this.section(tenantId).schedules.find((s) => s.schedule === schedule);
    if (!outcome) throw new Error(`retention: no schedule ${schedule} in the report`);
    for (const key of ['rows', 'partitions', 'held', 'pastPeriod'] as const) {
      const value = delta[key] ?? 0;
      outcome[key] += value;
      this.report.totals[key] += key === 'partitions' ? 0 : value;
    }
    outcome.from = earlier(outcome.from, delta.from ?? null);
    outcome.to = later(outcome.to, delta.to ?? null);
  }

  addHold(tenantId: string | null, holdId: string): void {
    const section = this.section(tenantId);
    if (!section.holds.includes(holdId)) section.holds.push(holdId);
  }

  addPartition(outcome: PartitionOutcome): void {
    this.report.partitions.push(outcome);
    if (outcome.outcome === 'dropped') this.report.totals.partitions += 1;
  }

  done(unit: string): void {
    if (!this.report.done.includes(unit)) this.report.done.push(unit);
  }

  isDone(unit: string): boolean {
    return this.report.done.includes(unit);
  }

  private section(tenantId: string | null): TenantSection {
    let section = this.report.tenants.find((s) => s.tenantId === tenantId);
    if (!section) {
      section = sectionFor(tenantId, this.plansFor(tenantId));
      this.report.tenants.push(section);
    }
    return section;
  }
}

/** The stored report, checked when a run resumes (a report of another shape starts afresh). */
export const storedReportSchema = z.looseObject({
  runId: z.uuid(),
  done: z.array(z.string()),
  tenants: z.array(z.looseObject({ tenantId: z.uuid().nullable() })),
});
