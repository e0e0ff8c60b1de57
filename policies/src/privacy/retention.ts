/**
 * Retention schedules (`privacy/retention.yaml`): per kind of data, how long it is kept, why, and
 * what happens when the time is up. The retention engine enforces them; a tenant may choose its own
 * period only where a schedule gives bounds (`tenantDays`).
 */
import { z } from 'zod';
import type { DataMap } from './data-map.js';

export const retentionActions = ['drop-partitions', 'delete', 'anonymise', 'review'] as const;
export type RetentionAction = (typeof retentionActions)[number];

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/);

const scheduleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9.-]{0,63}$/),
    description: z.string().min(1),
    table: identifier,
    rows: z.object({ column: identifier, present: z.boolean() }).strict().optional(),
    category: z.string().min(1),
    age: identifier,
    days: z.number().int().positive(),
    tenantDays: z
      .object({ min: z.number().int().positive(), max: z.number().int().positive() })
      .strict()
      .refine((b) => b.min <= b.max, 'min must not exceed max')
      .optional(),
    action: z.enum(retentionActions),
    basis: z.string().min(1),
  })
  .strict()
  .refine((s) => !s.tenantDays || (s.days >= s.tenantDays.min && s.days <= s.tenantDays.max), {
    message: 'the default days must lie within tenantDays',
  });

export const retentionFileSchema = z
  .object({ version: z.literal(1), schedules: z.array(scheduleSchema).min(1) })
  .strict();

export type RetentionSchedule = z.infer<typeof scheduleSchema>;

/** Validates the schedules against the data map (tables, columns and categories must exist). */
export function buildRetention(
  document: unknown,
  dataMap: DataMap,
): { schedules?: RetentionSchedule[]; issues: string[] } {
  const parsed = retentionFileSchema.safeParse(document);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`),
    };
  }
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const schedule of parsed.data.schedules) {
    const where = `schedules.${schedule.id}`;
    if (seen.has(schedule.id)) issues.push(`${where}: duplicate id`);
    seen.add(schedule.id);
    const table = dataMap.tables.get(schedule.table);
    if (!table) {
      issues.push(`${where}: unknown table ${schedule.table}`);
      continue;
    }
    const columns = new Set(table.columns.map((c) => c.name));
    if (!columns.has(schedule.age)) issues.push(`${where}: ${schedule.table} has no column ${schedule.age}`);
    if (schedule.rows && !columns.has(schedule.rows.column)) {
      issues.push(`${where}: ${schedule.table} has no column ${schedule.rows.column}`);
    }
    if (!dataMap.categories.has(schedule.category))
      issues.push(`${where}: unknown category ${schedule.category}`);
    if (schedule.action === 'anonymise' && table.erasure !== 'anonymise') {
      issues.push(`${where}: ${schedule.table} has no anonymisation in the data map`);
    }
  }
  return issues.length > 0 ? { issues } : { schedules: parsed.data.schedules, issues };
}

/** The period that applies for a tenant: its own choice, clamped to the schedule's bounds. */
export function effectiveDays(schedule: RetentionSchedule, tenantChoice: number | undefined): number {
  if (!schedule.tenantDays || tenantChoice === undefined) return schedule.days;
  return Math.min(schedule.tenantDays.max, Math.max(schedule.tenantDays.min, tenantChoice));
}
