/**
 * The request workflow's API shapes. Field names are the PrivacyRequest fields of
 * policies/src/resources.ts; derived ones (effectiveDueAt, overdue, history, job, result) are added
 * after the caller's field filter. The input pieces here are shared with the portal's DTOs.
 */
import { loadPrivacyDeclarations, privacyRequestTypes } from '@custos/policies';
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';
import { isTimeZone } from './due-dates.js';
import { requestStatuses } from './request-states.js';

export const requestLocales = ['en', 'de', 'ru', 'ar'] as const;
export type RequestLocale = (typeof requestLocales)[number];

/** Purposes a data subject may object to (art. 21): `objection: allowed` in processing.yaml. */
export const objectablePurposes = loadPrivacyDeclarations()
  .processing.purposes.filter((p) => p.objection === 'allowed')
  .map((p) => ({ id: p.id, name: p.name }));

const text = (max: number) => z.string().trim().min(1).max(max);
export const emailInput = z.string().trim().max(320).pipe(z.email());
export const typeInput = z.enum(privacyRequestTypes);
export const jurisdictionInput = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'A jurisdiction id such as gdpr');
export const timeZoneInput = z.string().max(64).refine(isTimeZone, 'Unknown IANA time zone');
export const localeInput = z.enum(requestLocales);
const rectificationInput = z
  .strictObject({ name: text(200).optional(), email: emailInput.optional() })
  .refine(
    (r) => r.name !== undefined || r.email !== undefined,
    'Give the corrected name, e-mail address or both',
  );
const purposesInput = z
  .array(z.enum(objectablePurposes.map((p) => p.id) as [string, ...string[]]))
  .min(1)
  .max(20)
  .refine((list) => new Set(list).size === list.length, 'A purpose is listed twice');

/** What every way of filing asks: the request and the requester's own words. */
export const filingFields = {
  type: typeInput,
  jurisdiction: jurisdictionInput.optional(),
  locale: localeInput,
  timeZone: timeZoneInput.optional(),
  subjectReference: text(200)
    .optional()
    .describe('How the requester identifies themselves (patient code, user name)'),
  details: text(4000).optional(),
  rectification: rectificationInput.optional().describe('Rectification only: the corrected values'),
  objectionPurposes: purposesInput.optional().describe('Objection only: the purposes objected to'),
};

/** Rectification needs its corrections and objection its purposes; other types take neither. */
export function checkTypeFields(
  body: { type: string; rectification?: unknown; objectionPurposes?: unknown },
  ctx: z.RefinementCtx,
): void {
  const expect = (field: 'rectification' | 'objectionPurposes', forType: string) => {
    const given = body[field] !== undefined;
    if (body.type === forType && !given) {
      ctx.addIssue({ code: 'custom', path: [field], message: `Required for ${forType} requests` });
    } else if (body.type !== forType && given) {
      ctx.addIssue({ code: 'custom', path: [field], message: `Only for ${forType} requests` });
    }
  };
  expect('rectification', 'rectification');
  expect('objectionPurposes', 'objection');
}

export const createRequestBody = z
  .strictObject({
    ...filingFields,
    locale: localeInput.optional(),
    email: emailInput.optional().describe('Where the requester wants to hear about the request'),
    subjectPatientId: uuidInput
      .optional()
      .describe('On behalf of a subject: the patient the request is about'),
    subjectUserId: uuidInput.optional().describe('On behalf of a subject: the account the request is about'),
    verifyIdentity: z
      .boolean()
      .optional()
      .describe('On behalf of a subject: the officer has verified their identity (say how in identityNote)'),
    identityNote: text(2000).optional(),
    tenantSlug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'A tenant slug')
      .optional()
      .describe('The slug of the tenant whose portal the request was filed on; refused unless it is yours'),
  })
  .superRefine((body, ctx) => {
    checkTypeFields(body, ctx);
    if (body.verifyIdentity && !body.identityNote) {
      ctx.addIssue({ code: 'custom', path: ['identityNote'], message: 'Say how the identity was verified' });
    }
  });
export type CreateRequestBody = z.infer<typeof createRequestBody>;

export const requestIdParams = z.strictObject({ id: uuidInput });

export const listRequestsQuery = z.strictObject({
  status: z.enum(requestStatuses).optional(),
  type: typeInput.optional(),
  assigneeId: uuidInput.optional(),
  overdue: z.enum(['true', 'false']).optional(),
  sort: z.enum(['dueAt', '-receivedAt']).default('dueAt'),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type ListRequestsQuery = z.infer<typeof listRequestsQuery>;

export const assignBody = z.strictObject({ assigneeId: uuidInput });
export const verifyIdentityBody = z.strictObject({
  subjectPatientId: uuidInput.optional(),
  subjectUserId: uuidInput.optional(),
  note: text(2000),
  method: z
    .enum(['email-code', 'officer'])
    .optional()
    .describe(
      'How the identity was verified: by the code mailed to the requester (the default) or by the officer (ID seen, call-back); officer is required when the contact was not verified by code',
    ),
});
export type VerifyIdentityBody = z.infer<typeof verifyIdentityBody>;
export const reasonBody = z.strictObject({ reason: text(2000) });
export const noBody = z.strictObject({}).optional().describe('No body (an empty object is accepted)');

// ── responses ──
const historyEntry = z.object({ at: z.string(), status: z.string(), event: z.string() });
export type HistoryEntry = z.infer<typeof historyEntry>;
export const resultSchema = z
  .object({ available: z.boolean(), bytes: z.number().int(), expiresAt: z.string().nullable() })
  .nullable();
export type RequestResult = z.infer<typeof resultSchema>;

export const requestViewSchema = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    reference: z.string(),
    type: typeInput,
    status: z.enum(requestStatuses),
    jurisdiction: z.string(),
    receivedAt: z.string(),
    dueAt: z.string(),
    extendedDueAt: z.string().nullable(),
    extensionReason: z.string().nullable(),
    contactEmail: z.string().nullable(),
    locale: z.string(),
    subjectReference: z.string().nullable(),
    details: z.string().nullable(),
    rectification: z.record(z.string(), z.unknown()).nullable(),
    objectionPurposes: z.array(z.string()),
    subjectUserId: z.uuid().nullable(),
    subjectPatientId: z.uuid().nullable(),
    identityMethod: z.string().nullable(),
    identityVerifiedAt: z.string().nullable(),
    assigneeId: z.uuid().nullable(),
    rejectionReason: z.string().nullable(),
    outcome: z.record(z.string(), z.unknown()).nullable(),
    completedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.number().int(),
    effectiveDueAt: z.string().describe('The extended due date when there is one, else the due date'),
    overdue: z.boolean(),
  })
  .partial();
export const requestPageSchema = pageSchema(requestViewSchema);
export const requestDetailSchema = requestViewSchema.extend({
  history: z.array(historyEntry),
  job: z.object({ state: z.string(), progress: z.record(z.string(), z.unknown()).nullable() }).nullable(),
  result: resultSchema,
});
