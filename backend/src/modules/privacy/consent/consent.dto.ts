/** Request and response schemas of consent records (GDPR art. 7(1), HIPAA §164.508). */
import { z } from 'zod';
import { cursorSchema, limitSchema, pageSchema } from '../../../core/http/pagination.js';
import { uuidInput } from '../../../core/http/uuid.js';

export const consentActions = ['given', 'withdrawn'] as const;
export type ConsentAction = (typeof consentActions)[number];
/** Every source the table accepts; `privacy-request` is written by request fulfilment, never by this API. */
export const consentSources = ['portal', 'officer', 'device', 'import', 'privacy-request'] as const;
export type ConsentSource = (typeof consentSources)[number];
/** Sources a caller may name: `portal` is the subject themselves, the others are staff recording for them. */
export const recordableSources = ['officer', 'import', 'device', 'portal'] as const;

export const subjectKinds = ['patient', 'user'] as const;
export type ConsentSubjectKind = (typeof subjectKinds)[number];

const purposeId = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'A purpose id such as analytics');

export const consentRecordSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  patientId: z.uuid().nullable(),
  userId: z.uuid().nullable(),
  purpose: z.string(),
  action: z.enum(consentActions),
  source: z.enum(consentSources),
  evidence: z.string().nullable(),
  recordedAt: z.string(),
  recordedBy: z.uuid().nullable(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;
export const consentRecordViewSchema = consentRecordSchema
  .partial()
  .describe('Consent record; fields the caller may not read are omitted');
export const consentPageSchema = pageSchema(consentRecordViewSchema);

export const createConsentBody = z
  .strictObject({
    patientId: uuidInput.optional().describe('The patient the consent is about'),
    userId: uuidInput.optional().describe('Or the account the consent is about'),
    purpose: purposeId.describe('A purpose of policies/privacy/processing.yaml that takes consent'),
    action: z.enum(consentActions),
    source: z
      .enum(recordableSources)
      .optional()
      .describe('portal when the subject records their own consent (the default for them), else officer'),
    evidence: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('What the subject was shown or signed, e.g. a notice version; no free personal data'),
  })
  .refine((b) => !(b.patientId && b.userId), {
    path: ['userId'],
    message: 'Give patientId or userId, not both',
  })
  .describe("Without patientId and userId the consent is the caller's own (their patient record)");
export type CreateConsentBody = z.infer<typeof createConsentBody>;

export const listConsentsQuery = z.strictObject({
  cursor: cursorSchema,
  limit: limitSchema,
  order: z.enum(['asc', 'desc']).default('desc').describe('By recordedAt; newest first by default'),
  patientId: uuidInput.optional(),
  userId: uuidInput.optional(),
  purpose: purposeId.optional(),
});
export type ListConsentsQuery = z.infer<typeof listConsentsQuery>;

export const consentSubjectParams = z.strictObject({ kind: z.enum(subjectKinds), id: uuidInput });

const stateSchema = z.enum(['given', 'withdrawn', 'none']);
/** A subject's page shows this much history; the list endpoint pages through the rest. */
export const SUBJECT_HISTORY_LIMIT = 200;

export const consentOverviewSchema = z.object({
  tenantId: z.uuid(),
  generatedAt: z.string(),
  purposes: z.array(
    z.object({
      purpose: z.string(),
      name: z.string().nullable(),
      given: z.number().int().describe('Subjects whose latest record for the purpose is given'),
      withdrawn: z.number().int().describe('Subjects whose latest record for the purpose is withdrawn'),
    }),
  ),
});
export type ConsentOverview = z.infer<typeof consentOverviewSchema>;

export const consentSubjectSchema = z.object({
  subject: z.object({ kind: z.enum(subjectKinds), id: z.uuid() }),
  current: z
    .array(
      z.object({
        purpose: z.string(),
        name: z.string().nullable(),
        state: stateSchema,
        since: z.string().nullable(),
        source: z.enum(consentSources).nullable(),
        recordId: z.uuid().nullable(),
      }),
    )
    .describe('The state per purpose: the latest record wins; none when nothing was ever recorded'),
  history: z
    .array(consentRecordViewSchema)
    .describe(`Newest first, at most ${SUBJECT_HISTORY_LIMIT} records (the list pages through all)`),
});
export type ConsentSubjectView = z.infer<typeof consentSubjectSchema>;
