/**
 * Generates one tenant's record of processing activities (GDPR art. 30(1)) from the declarations in
 * policies/privacy/ (purposes, data map, retention schedules) and the tenant's chosen retention
 * periods. Generated on every request, never stored, so it cannot drift from what the code enforces.
 */
import { effectiveDays, type PrivacyDeclarations } from '@custos/policies';
import type { Activity, ProcessingRecord } from './processing-records.dto.js';

export interface TenantFacts {
  id: string;
  name: string;
  /** The tenant's chosen period per retention schedule id (retention_settings). */
  retentionDays: ReadonlyMap<string, number>;
}

export function buildProcessingRecord(
  declarations: PrivacyDeclarations,
  tenant: TenantFacts,
  now: Date,
): ProcessingRecord {
  const { processing } = declarations;
  return {
    tenantId: tenant.id,
    generatedAt: now.toISOString(),
    controller: {
      tenantId: tenant.id,
      name: tenant.name,
      platformRole: processing.controller.role,
      note: processing.controller.note,
    },
    activities: processing.purposes.map((purpose) => activityOf(declarations, tenant, purpose.id)),
    security: [...processing.security],
    transfers: processing.transfers.map((t) => ({ ...t })),
  };
}

function activityOf(declarations: PrivacyDeclarations, tenant: TenantFacts, purposeId: string): Activity {
  const { dataMap, schedules, processing } = declarations;
  const purpose = processing.purposes.find((p) => p.id === purposeId);
  if (!purpose) throw new Error(`unknown purpose ${purposeId}`);
  return {
    id: purpose.id,
    name: purpose.name,
    description: purpose.description,
    basis: purpose.basis,
    subjects: [...purpose.subjects],
    consent: purpose.consent,
    objection: purpose.objection,
    duringRestriction: purpose.duringRestriction,
    categories: purpose.categories.map((name) => {
      const category = dataMap.categories.get(name);
      return {
        name,
        description: category?.description ?? '',
        special: category?.special ?? false,
        tables: [...dataMap.tables.values()]
          .map((table) => ({
            table: table.name,
            columns: table.columns.filter((c) => c.category === name).map((c) => c.name),
          }))
          .filter((table) => table.columns.length > 0),
      };
    }),
    recipients: [...purpose.recipients],
    retention: purpose.retention.flatMap((id) => {
      const schedule = schedules.find((s) => s.id === id);
      if (!schedule) return [];
      const chosen = tenant.retentionDays.get(id);
      const days = effectiveDays(schedule, chosen);
      return [
        {
          schedule: schedule.id,
          description: schedule.description,
          table: schedule.table,
          category: schedule.category,
          days,
          defaultDays: schedule.days,
          // A choice the schedule does not allow (no bounds) has no effect, so it is not reported as one.
          tenantChosen: chosen !== undefined && schedule.tenantDays !== undefined,
          action: schedule.action,
          basis: schedule.basis,
        },
      ];
    }),
  };
}
