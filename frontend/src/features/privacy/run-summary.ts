/** A retention run's report as one list of schedule outcomes (pure, for tests). */
import type { RetentionRun, RetentionScheduleOutcome } from '@/features/api/types';

/** Every schedule outcome of the report, tenant by tenant (a manual run covers one tenant). */
export const reportLines = (
  run: RetentionRun,
): Array<RetentionScheduleOutcome & { tenantId: string | null }> =>
  (run.report?.tenants ?? []).flatMap((section) =>
    section.schedules.map((line) => ({ ...line, tenantId: section.tenantId })),
  );

/** Whether anything in the report needs a reader's attention: removed, kept by holds or past due. */
export const reportIsEmpty = (run: RetentionRun): boolean => {
  const totals = run.report?.totals;
  return !totals || totals.rows + totals.held + totals.partitions + totals.pastPeriod === 0;
};
