/** The public portal's API shapes (routes without a session; see public-requests.controller.ts). */
import { z } from 'zod';
import { checkTypeFields, emailInput, filingFields, resultSchema, typeInput } from './requests.dto.js';

export const tenantSlugParams = z.strictObject({
  tenantSlug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'A tenant slug'),
});

/** References are printed in upper case; a requester typing them in lower case still finds theirs. */
export const referenceParams = z.strictObject({
  reference: z
    .string()
    .regex(/^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$/i, 'A request reference such as DSR-7K3M-Q9XW')
    .transform((value) => value.toUpperCase()),
});

export const fileRequestBody = z
  .strictObject({ ...filingFields, email: emailInput.describe('Where the one-time code and news are sent') })
  .superRefine(checkTypeFields);
export type FileRequestBody = z.infer<typeof fileRequestBody>;

export const verificationBody = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'The six digits from the mail'),
});

export const requestTokenHeaders = z.object({
  'x-request-token': z
    .string()
    .max(128)
    .optional()
    .describe('The access token verification gave the requester'),
});

const period = z.object({
  months: z.number().int().optional(),
  days: z.number().int().optional(),
  businessDays: z.number().int().optional(),
});
export const portalInfoSchema = z.object({
  tenant: z.object({ slug: z.string(), name: z.string() }),
  jurisdictions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      law: z.string(),
      answerMonths: z.number().int().optional(),
      answerDays: z.number().int().optional(),
      answerBusinessDays: z.number().int().optional(),
      extensionMonths: z.number().int().optional(),
      extensionDays: z.number().int().optional(),
      extensionBusinessDays: z.number().int().optional(),
      weekendRollover: z.boolean(),
      requestTypes: z.array(typeInput),
      overrides: z.record(
        z.string(),
        z.object({ law: z.string(), answer: period, extension: period.nullable() }),
      ),
    }),
  ),
  defaultJurisdiction: z.string(),
  requestTypes: z.array(typeInput),
  objectionPurposes: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const filedSchema = z.object({
  reference: z.string(),
  status: z.literal('received'),
  dueAt: z.string(),
  verification: z.literal('code-sent'),
});

export const accessTokenSchema = z.object({
  accessToken: z.string().describe('Send it as X-Request-Token to read the request; keep it secret'),
});

export const portalStatusSchema = z.object({
  reference: z.string(),
  type: typeInput,
  status: z.string(),
  jurisdiction: z.string(),
  receivedAt: z.string(),
  dueAt: z.string(),
  extendedDueAt: z.string().nullable(),
  history: z.array(z.object({ at: z.string(), status: z.string(), event: z.string() })),
  result: resultSchema,
  kept: z.array(z.object({ table: z.string(), reason: z.string() })),
  rejectionReason: z.string().nullable().optional(),
});
