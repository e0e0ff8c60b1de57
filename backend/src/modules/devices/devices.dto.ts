/** Request and response schemas of the device registry (validation and OpenAPI both come from here). */
import { z } from 'zod';
import { cursorSchema, limitSchema, orderSchema, pageSchema } from '../../core/http/pagination.js';
import { uuidInput } from '../../core/http/uuid.js';

export const lifecycleStates = [
  'manufactured',
  'provisioned',
  'claimed',
  'active',
  'suspended',
  'decommissioned',
] as const;
export type LifecycleState = (typeof lifecycleStates)[number];
export const dataCategories = ['operational', 'health'] as const;

const labelKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'Label keys are lower-case letters, digits, _ . -');
export const labelsSchema = z
  .record(labelKey, z.string().max(256))
  .refine((labels) => Object.keys(labels).length <= 32, 'At most 32 labels');

const serialNumber = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'Letters, digits and . _ : - (max 64)');
const model = z.string().trim().min(1).max(100);
const firmwareVersion = z.string().trim().min(1).max(64);

export const deviceSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  siteId: z.uuid().nullable(),
  serialNumber: z.string(),
  model: z.string(),
  firmwareVersion: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  lifecycleState: z.enum(lifecycleStates),
  patientId: z.uuid().nullable(),
  dataCategory: z.enum(dataCategories),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  processingRestricted: z
    .boolean()
    .describe('The patient restricted processing (GDPR art. 18): their data is read only in an emergency'),
  analyticsAllowed: z
    .boolean()
    .describe('The patient’s data may be used for analytics: consent in force, no objection, no restriction'),
});
export type Device = z.infer<typeof deviceSchema>;

/** What a caller sees: fields their policy does not grant (e.g. patientId) are absent. */
export const deviceViewSchema = deviceSchema
  .partial()
  .describe('Device; fields the caller may not read are omitted');
export const devicePageSchema = pageSchema(deviceViewSchema);

export const deviceIdParams = z.strictObject({ id: uuidInput });

export const deviceSummarySchema = z
  .object({
    total: z.number().int(),
    byState: z.record(z.enum(lifecycleStates), z.number().int()),
  })
  .describe('How many devices the caller may read, in total and in each lifecycle state');
export type DeviceSummary = z.infer<typeof deviceSummarySchema>;

export const deviceActionsSchema = z
  .object({ actions: z.array(z.enum(['provision', 'claim', 'activate', 'suspend', 'decommission'])) })
  .describe('Lifecycle actions the caller may take on the device now (policy and current state)');

export const sortableDeviceFields = ['serialNumber', 'createdAt', 'updatedAt'] as const;
export const listDevicesQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(sortableDeviceFields).default('serialNumber'),
  order: orderSchema,
  siteId: uuidInput.optional(),
  lifecycleState: z.enum(lifecycleStates).optional(),
  model: z.string().min(1).max(100).optional(),
  serialPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/)
    .optional(),
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,62}=.{0,256}$/, 'Expected key=value')
    .optional()
    .describe('Only devices carrying this label, as key=value'),
});
export type ListDevicesQuery = z.infer<typeof listDevicesQuery>;

export const registerDeviceBody = z.strictObject({
  tenantId: uuidInput.optional().describe("Defaults to the caller's tenant"),
  serialNumber,
  model,
  firmwareVersion: firmwareVersion.optional(),
  labels: labelsSchema.optional(),
  dataCategory: z.enum(dataCategories).optional(),
});
export type RegisterDeviceBody = z.infer<typeof registerDeviceBody>;

export const updateDeviceBody = z
  .strictObject({
    model: model.optional(),
    firmwareVersion: firmwareVersion.nullable().optional(),
    labels: labelsSchema.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'Send at least one field to change');
export type UpdateDeviceBody = z.infer<typeof updateDeviceBody>;

export const claimDeviceBody = z.strictObject({ siteId: uuidInput });
