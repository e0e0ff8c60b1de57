/** The GDPR art. 30 record of processing activities, as the API returns it (field names: ProcessingRecord). */
import { z } from 'zod';

export const exportFormats = ['json', 'csv', 'md'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const tableSchema = z.object({ table: z.string(), columns: z.array(z.string()) });

export const activityCategorySchema = z.object({
  name: z.string(),
  description: z.string(),
  special: z.boolean().describe('A special category (GDPR art. 9): health data'),
  tables: z.array(tableSchema).describe('Where the category is stored (policies/privacy/data-map.yaml)'),
});

export const activityRetentionSchema = z.object({
  schedule: z.string(),
  description: z.string(),
  table: z.string(),
  category: z.string(),
  days: z.number().int().describe('The period in force for this tenant'),
  defaultDays: z.number().int(),
  tenantChosen: z.boolean().describe('Whether the tenant chose the period (within the schedule’s bounds)'),
  action: z.string(),
  basis: z.string(),
});

export const activitySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  basis: z.string(),
  subjects: z.array(z.string()),
  consent: z.enum(['required', 'not-required']),
  objection: z.enum(['allowed', 'not-applicable']),
  duringRestriction: z.enum(['stopped', 'allowed', 'allowed-in-emergency']),
  categories: z.array(activityCategorySchema),
  recipients: z.array(z.string()),
  retention: z.array(activityRetentionSchema),
});
export type Activity = z.infer<typeof activitySchema>;

export const processingRecordSchema = z.object({
  tenantId: z.uuid(),
  generatedAt: z.string(),
  controller: z.object({
    tenantId: z.uuid(),
    name: z.string().describe('The tenant: the controller of its data'),
    platformRole: z.enum(['controller', 'processor']).describe('What the platform operator is to the tenant'),
    note: z.string(),
  }),
  activities: z.array(activitySchema),
  security: z.array(z.string()).describe('Technical and organisational measures (art. 30(1)(g), art. 32)'),
  transfers: z
    .array(z.object({ recipient: z.string(), country: z.string(), safeguard: z.string() }))
    .describe('Transfers to third countries and their safeguards (art. 30(1)(e))'),
});
export type ProcessingRecord = z.infer<typeof processingRecordSchema>;
export const processingRecordViewSchema = processingRecordSchema.partial();

export const exportProcessingRecordQuery = z.strictObject({
  format: z.enum(exportFormats).default('json'),
});
export type ExportProcessingRecordQuery = z.infer<typeof exportProcessingRecordQuery>;
