/**
 * Jurisdictions (`privacy/jurisdictions.yaml`): the statutory period to answer a data-subject request,
 * the one extension the law allows, and how a deadline is counted. The request workflow computes due
 * dates from these (backend requests/due-dates.ts); the portal shows them to requesters.
 */
import { z } from 'zod';

export const privacyRequestTypes = [
  'access',
  'portability',
  'rectification',
  'restriction',
  'objection',
  'erasure',
] as const;
export type PrivacyRequestType = (typeof privacyRequestTypes)[number];

/** Whom a requester may complain to; the mails name the authority in the requester's language. */
export const complaintAuthorities = ['supervisory-authority', 'ico', 'hhs-ocr', 'cppa'] as const;
export type ComplaintAuthority = (typeof complaintAuthorities)[number];

const count = z.number().int().positive().max(1000);
const periodSchema = z.union([
  z.object({ months: count }).strict(),
  z.object({ days: count }).strict(),
  z.object({ businessDays: count }).strict(),
]);
/** A period of the law: calendar months, calendar days or business days (Monday to Friday). */
export type Period = z.infer<typeof periodSchema>;

const overrideSchema = z
  .object({ law: z.string().min(1), answer: periodSchema, extension: periodSchema.nullable() })
  .strict();

const jurisdictionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/),
    name: z.string().min(1).max(200),
    law: z.string().min(1).max(300),
    answer: periodSchema,
    extension: periodSchema.nullable(),
    weekendRollover: z.boolean(),
    requestTypes: z.array(z.enum(privacyRequestTypes)).min(1),
    overrides: z.partialRecord(z.enum(privacyRequestTypes), overrideSchema).default({}),
    complaintAuthority: z.enum(complaintAuthorities),
  })
  .strict();

export const jurisdictionsFileSchema = z
  .object({ version: z.literal(1), jurisdictions: z.array(jurisdictionSchema).min(1) })
  .strict();

export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

/** The deadline rules for one type of request under one jurisdiction (its override, if any). */
export interface DeadlineRule {
  law: string;
  answer: Period;
  extension: Period | null;
  weekendRollover: boolean;
}

export function deadlineRule(jurisdiction: Jurisdiction, type: PrivacyRequestType): DeadlineRule {
  const override = jurisdiction.overrides[type];
  return {
    law: override?.law ?? jurisdiction.law,
    answer: override?.answer ?? jurisdiction.answer,
    extension: override ? override.extension : jurisdiction.extension,
    weekendRollover: jurisdiction.weekendRollover,
  };
}

/** Validates the parsed YAML: ids unique, overrides only for the rights the law grants. */
export function buildJurisdictions(document: unknown): { jurisdictions?: Jurisdiction[]; issues: string[] } {
  const parsed = jurisdictionsFileSchema.safeParse(document);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`),
    };
  }
  const issues: string[] = [];
  const ids = new Set<string>();
  for (const jurisdiction of parsed.data.jurisdictions) {
    const where = `jurisdictions.${jurisdiction.id}`;
    if (ids.has(jurisdiction.id)) issues.push(`${where}: duplicate id`);
    ids.add(jurisdiction.id);
    if (new Set(jurisdiction.requestTypes).size !== jurisdiction.requestTypes.length) {
      issues.push(`${where}: a request type is listed twice`);
    }
    for (const type of Object.keys(jurisdiction.overrides)) {
      if (!jurisdiction.requestTypes.includes(type as PrivacyRequestType)) {
        issues.push(`${where}.overrides.${type}: not a request type this jurisdiction grants`);
      }
    }
  }
  return issues.length > 0 ? { issues } : { jurisdictions: parsed.data.jurisdictions, issues };
}
