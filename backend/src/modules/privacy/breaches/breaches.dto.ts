/** Request and response schemas of the breach register (GDPR art. 33(5), HIPAA §164.414). */
import { loadPrivacyDeclarations } from '@custos/policies';
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';

export const breachRisks = ['unassessed', 'unlikely', 'risk', 'high'] as const;
export type BreachRisk = (typeof breachRisks)[number];
export const breachStatuses = ['open', 'contained', 'closed'] as const;
export type BreachStatus = (typeof breachStatuses)[number];

/** GDPR art. 33(1): the supervisory authority is notified within 72 hours of becoming aware. */
export const NOTIFICATION_HOURS = 72;
/** How far ahead of the server's clock a client's "now" may be (clock skew), not more. */
export const CLOCK_SKEW_MS = 2 * 60_000;

export const breachSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  reference: z.string().describe('BR-XXXX-XXXX'),
  title: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  subjectsAffected: z.number().int().nullable(),
  recordsAffected: z.number().int().nullable(),
  likelyConsequences: z.string().nullable(),
  measures: z.string().nullable(),
  risk: z.enum(breachRisks),
  status: z.enum(breachStatuses),
  occurredAt: z.string().nullable(),
  detectedAt: z.string(),
  notificationDueAt: z.string().describe('detectedAt + 72 hours (GDPR art. 33(1))'),
  authorityNotifiedAt: z.string().nullable(),
  lateNotificationReason: z.string().nullable(),
  subjectsNotifiedAt: z.string().nullable(),
  createdBy: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Breach = z.infer<typeof breachSchema>;

export const breachViewSchema = breachSchema
  .partial()
  .extend({
    notificationOverdue: z
      .boolean()
      .optional()
      .describe('Not notified, past notificationDueAt, and the risk is not assessed as unlikely'),
    subjectsNotificationDueAt: z
      .string()
      .optional()
      .describe('detectedAt + 60 days: the outer limit for telling the people affected (HIPAA §164.404(b))'),
    subjectsNotificationOverdue: z
      .boolean()
      .optional()
      .describe('The people affected not told, past subjectsNotificationDueAt, and the risk not unlikely'),
  })
  .describe('Breach; fields the caller may not read are omitted');
export const breachPageSchema = pageSchema(breachViewSchema);

const categories = [...loadPrivacyDeclarations().dataMap.categories.keys()];
const category = z
  .string()
  .refine((c) => categories.includes(c), 'Not a category of policies/privacy/data-map.yaml');
const count = z.number().int().min(0).max(2_147_483_647);
const text = (max: number) => z.string().trim().min(1).max(max);
/** Any ISO 8601 date-time with an offset; stored as an instant. */
const instant = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) >= 0, 'Must not be before 1970')
  .transform((value) => new Date(value).toISOString());
const notFuture = (at: string | null | undefined) => !at || Date.parse(at) <= Date.now() + CLOCK_SKEW_MS;
const pastInstant = instant.refine(notFuture, 'Must not be in the future');

const common = {
  title: text(200),
  description: text(8000).describe(
    'Facts, effects and remedial action (art. 33(5)); no affected person’s data',
  ),
  categories: z
    .array(category)
    .max(64)
    .refine((list) => new Set(list).size === list.length, 'Each category once'),
  subjectsAffected: count,
  recordsAffected: count,
  likelyConsequences: text(4000),
  measures: text(4000),
  risk: z.enum(breachRisks),
  occurredAt: pastInstant,
  detectedAt: pastInstant,
};

export const createBreachBody = z
  .strictObject({
    title: common.title,
    description: common.description,
    categories: common.categories.default([]),
    subjectsAffected: common.subjectsAffected.optional(),
    recordsAffected: common.recordsAffected.optional(),
    likelyConsequences: common.likelyConsequences.optional(),
    measures: common.measures.optional(),
    risk: common.risk,
    occurredAt: common.occurredAt.optional(),
    detectedAt: common.detectedAt.optional().describe('When the organisation became aware; defaults to now'),
  })
  .refine(
    (b) => !b.occurredAt || Date.parse(b.occurredAt) <= Date.parse(b.detectedAt ?? new Date().toISOString()),
    {
      path: ['occurredAt'],
      message: 'A breach occurs before it is detected',
    },
  );
export type CreateBreachBody = z.infer<typeof createBreachBody>;

export const updateBreachBody = z
  .strictObject({
    title: common.title.optional(),
    description: common.description.optional(),
    categories: common.categories.optional(),
    subjectsAffected: common.subjectsAffected.nullable().optional(),
    recordsAffected: common.recordsAffected.nullable().optional(),
    likelyConsequences: common.likelyConsequences.nullable().optional(),
    measures: common.measures.nullable().optional(),
    risk: common.risk.optional(),
    status: z.enum(breachStatuses).optional(),
    occurredAt: common.occurredAt.nullable().optional(),
    detectedAt: common.detectedAt.optional(),
    authorityNotifiedAt: pastInstant
      .nullable()
      .optional()
      .describe('When the supervisory authority was notified'),
    lateNotificationReason: text(4000)
      .nullable()
      .optional()
      .describe('Required when the authority is notified after notificationDueAt'),
    subjectsNotifiedAt: pastInstant
      .nullable()
      .optional()
      .describe('When the affected people were told (art. 34)'),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change');
export type UpdateBreachBody = z.infer<typeof updateBreachBody>;

export const breachIdParams = z.strictObject({ id: uuidInput });

export const listBreachesQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  status: z.enum(breachStatuses).optional(),
  overdue: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only breaches whose authority notification is overdue; false: only the others'),
});
export type ListBreachesQuery = z.infer<typeof listBreachesQuery>;
