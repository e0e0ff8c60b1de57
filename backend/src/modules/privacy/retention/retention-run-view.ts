/**
 * A retention run as a caller sees it: the scheduled run covers every tenant, so each caller sees
 * only the parts of its report about tenants whose retention they may read (counts of other
 * tenants are theirs). Totals are recomputed from what is shown.
 */
import type { Actor } from '../../../core/authz/actor.js';
import type { RetentionRunView } from './retention.dto.js';
import type { RetentionReport } from './retention-report.js';
import type { RunRow } from './retention-runs.repository.js';

export function runView(actor: Actor, row: RunRow, withReport: boolean): RetentionRunView {
  const base = {
    id: row.id,
    dryRun: row.dry_run,
    status: row.status,
    trigger: row.slot === null ? ('manual' as const) : ('scheduled' as const),
    tenantId: row.tenant_id,
    slot: row.slot,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    requestedBy: row.requested_by,
  };
  if (!withReport) return { ...base, report: null };
  const report = row.report as unknown as Partial<RetentionReport> | null;
  // While a run is still at work its saved report holds only its progress marker, not tenants yet.
  if (!report || !Array.isArray(report.tenants)) return { ...base, report: null };
  return { ...base, report: visibleReport(actor, report as RetentionReport) };
}

function visibleReport(actor: Actor, report: RetentionReport): NonNullable<RetentionRunView['report']> {
  const visible = (tenantId: string | null) =>
    tenantId !== null && actor.can('read', 'RetentionSchedule', { tenantId });
  const tenants = report.tenants.filter((section) => visible(section.tenantId));
  const partitions = report.partitions
    .map((p) => {
      const shown = p.tenants.filter((t) => visible(t.tenantId));
      const sum = (key: 'rows' | 'held') => shown.reduce((n, t) => n + t[key], 0);
      return { ...p, tenants: shown, rows: sum('rows'), held: sum('held') };
    })
    .filter((p) => p.tenants.length > 0);
  const outcomes = tenants.flatMap((section) => section.schedules);
  const sum = (key: 'rows' | 'held' | 'pastPeriod') => outcomes.reduce((n, s) => n + s[key], 0);
  return {
    trigger: report.trigger,
    scope: report.scope,
    slot: report.slot,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    totals: {
      rows: sum('rows'),
      held: sum('held'),
      pastPeriod: sum('pastPeriod'),
      partitions: partitions.filter((p) => p.outcome === 'dropped').length,
    },
    partitions,
    tenants,
    receipts: (report.receipts as Array<Record<string, unknown>>).filter((r) =>
      visible((r.tenantId as string | null | undefined) ?? null),
    ),
  };
}
