/** Request and response schemas of retention schedules and runs (validation and OpenAPI both come from here). */
import { loadPrivacyDeclarations, retentionActions } from '@custos/policies';
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';
import { partitionOutcomes } from './retention-report.js';

export const DECLARATIONS = loadPrivacyDeclarations();

export const retentionScheduleSchema = z.object({
  id: z.string(),
  tenantId: z.uuid(),
  description: z.string(),
  table: z.string(),
  category: z.string(),
  action: z.enum(retentionActions),
  basis: z.string().describe('The legal basis for keeping the data that long'),
  days: z.number().int().describe('The period that applies to this tenant'),
  defaultDays: z.number().int(),
  tenantDays: z
    .object({ min: z.number().int(), max: z.number().int() })
    .nullable()
    .describe('Bounds within which the tenant may choose its period; null: the period is fixed'),
  updatedAt: z
    .string()
    .nullable()
    .describe('When the tenant last chose its period (null: the default applies)'),
  updatedBy: z.uuid().nullable(),
});
export type RetentionScheduleView = z.infer<typeof retentionScheduleSchema>;
export const retentionScheduleViewSchema = retentionScheduleSchema.partial();
export const retentionSchedulePageSchema = pageSchema(retentionScheduleViewSchema);

export const scheduleIdParams = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9.-]{0,63}$/, 'A schedule id'),
});
export const setScheduleDaysBody = z.strictObject({
  days: z.number().int().positive().max(36_500).describe('The tenant’s period in days, within tenantDays'),
});
export type SetScheduleDaysBody = z.infer<typeof setScheduleDaysBody>;

export const requestRunBody = z.strictObject({
  dryRun: z.boolean().describe('true: report what would be removed and remove nothing'),
});
export type RequestRunBody = z.infer<typeof requestRunBody>;

export const runIdParams = z.strictObject({ id: uuidInput });
export const listRunsQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(['startedAt']).default('startedAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type ListRunsQuery = z.infer<typeof listRunsQuery>;

const tally = {
  rows: z.number().int(),
  partitions: z.number().int(),
  held: z.number().int(),
  pastPeriod: z.number().int(),
};
const scheduleOutcomeSchema = z.object({
  schedule: z.string(),
  category: z.string(),
  action: z.enum(retentionActions),
  table: z.string(),
  days: z.number().int(),
  cutoff: z.string(),
  ...tally,
  from: z.string().nullable(),
  to: z.string().nullable(),
});
const reportSchema = z
  .object({
    trigger: z.enum(['scheduled', 'manual']),
    scope: z.object({ tenantId: z.uuid().nullable() }).describe('tenantId null: every tenant'),
    slot: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    totals: z.object({
      rows: z.number().int(),
      partitions: z.number().int(),
      held: z.number().int(),
      pastPeriod: z.number().int(),
    }),
    partitions: z.array(
      z.object({
        day: z.string(),
        outcome: z.enum(partitionOutcomes),
        rows: z.number().int(),
        held: z.number().int(),
        ms: z.number(),
        tenants: z.array(
          z.object({ tenantId: z.uuid().nullable(), rows: z.number().int(), held: z.number().int() }),
        ),
      }),
    ),
    tenants: z.array(
      z.object({
        tenantId: z.uuid().nullable(),
        schedules: z.array(scheduleOutcomeSchema),
        holds: z.array(z.uuid()),
      }),
    ),
    receipts: z
      .array(z.record(z.string(), z.unknown()))
      .describe('The signed receipts (privacy.retention_receipt payloads)'),
  })
  .describe(
    'What the run removed (or, for a dry run, would remove), per tenant and schedule, as far as the caller may see',
  );

export const retentionRunSchema = z.object({
  id: z.uuid(),
  dryRun: z.boolean(),
  status: z.enum(['running', 'completed', 'failed']),
  trigger: z.enum(['scheduled', 'manual']),
  tenantId: z.uuid().nullable().describe('The tenant a manual run covered; null: every tenant (scheduled)'),
  slot: z.string().nullable().describe('The daily slot (UTC date) of a scheduled run'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  requestedBy: z.uuid().nullable(),
  report: reportSchema.nullable(),
});
export type RetentionRunView = z.infer<typeof retentionRunSchema>;
export const retentionRunPageSchema = pageSchema(retentionRunSchema.omit({ report: true }));
