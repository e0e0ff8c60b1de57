/** Request and response schemas of legal holds (validation and OpenAPI both come from here). */
import { loadPrivacyDeclarations } from '@custos/policies';
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';

export const holdScopes = ['tenant', 'site', 'device', 'subject'] as const;
export type HoldScope = (typeof holdScopes)[number];

/** The data map's categories: a hold names what it keeps in the same words the data map uses. */
const categoryNames = [...loadPrivacyDeclarations().dataMap.categories.keys()] as [string, ...string[]];

export const legalHoldSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  scope: z.enum(holdScopes),
  siteId: z.uuid().nullable(),
  deviceId: z.uuid().nullable(),
  patientId: z.uuid().nullable(),
  userId: z.uuid().nullable(),
  categories: z.array(z.string()).describe('Data-map categories the hold keeps; empty: all of them'),
  reason: z.string(),
  matter: z.string().nullable(),
  ownerId: z.uuid(),
  createdBy: z.uuid(),
  releasedAt: z.string().nullable(),
  releasedBy: z.uuid().nullable(),
  releaseReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type LegalHold = z.infer<typeof legalHoldSchema>;
export const legalHoldViewSchema = legalHoldSchema
  .partial()
  .describe('Legal hold; fields the caller may not read are omitted');
export const legalHoldPageSchema = pageSchema(legalHoldViewSchema);

export const legalHoldIdParams = z.strictObject({ id: uuidInput });

export const listLegalHoldsQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  sort: z.enum(['createdAt']).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
  active: z.enum(['true', 'false']).optional().describe('true: holds in force; false: released ones'),
  scope: z.enum(holdScopes).optional(),
});
export type ListLegalHoldsQuery = z.infer<typeof listLegalHoldsQuery>;

const freeText = (max: number) => z.string().trim().min(1).max(max);
const reason = freeText(2000).describe(
  'Why the data must be kept (personal data: sealed in the audit trail)',
);
const matter = freeText(200).describe('The matter or case, as the legal team names it');

/** Which target field each scope needs; the others must be absent. */
const targetFields = ['siteId', 'deviceId', 'patientId', 'userId'] as const;
const targetsOf: Record<HoldScope, readonly (typeof targetFields)[number][]> = {
  tenant: [],
  site: ['siteId'],
  device: ['deviceId'],
  subject: ['patientId', 'userId'],
};

export const createLegalHoldBody = z
  .strictObject({
    scope: z.enum(holdScopes),
    siteId: uuidInput.optional(),
    deviceId: uuidInput.optional(),
    patientId: uuidInput.optional().describe('scope subject: the patient (or give userId)'),
    userId: uuidInput.optional().describe('scope subject: the person’s account (or give patientId)'),
    categories: z
      .array(z.enum(categoryNames))
      .max(categoryNames.length)
      .refine((list) => new Set(list).size === list.length, 'Each category once')
      .default([]),
    reason,
    matter: matter.optional(),
    ownerId: uuidInput.describe('The user of the tenant who answers for the hold'),
  })
  .superRefine((body, context) => {
    const allowed = targetsOf[body.scope];
    for (const field of targetFields) {
      if (body[field] !== undefined && !allowed.includes(field)) {
        context.addIssue({ code: 'custom', path: [field], message: `Not used by scope ${body.scope}` });
      }
    }
    const given = allowed.filter((field) => body[field] !== undefined);
    if (allowed.length > 0 && given.length !== 1) {
      const message =
        allowed.length === 1
          ? `Scope ${body.scope} needs ${allowed[0]}`
          : 'Give exactly one of patientId, userId';
      context.addIssue({ code: 'custom', path: [allowed[0] as string], message });
    }
  });
export type CreateLegalHoldBody = z.infer<typeof createLegalHoldBody>;

export const updateLegalHoldBody = z
  .strictObject({
    reason: reason.optional(),
    matter: matter.nullable().optional(),
    ownerId: uuidInput.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change');
export type UpdateLegalHoldBody = z.infer<typeof updateLegalHoldBody>;

export const releaseLegalHoldBody = z.strictObject({
  reason: freeText(2000).describe('Why the data need no longer be kept (sealed in the audit trail)'),
});
export type ReleaseLegalHoldBody = z.infer<typeof releaseLegalHoldBody>;
