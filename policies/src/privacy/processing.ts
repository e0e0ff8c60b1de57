/**
 * Purposes of processing (`privacy/processing.yaml`). With the data map and the retention schedules
 * they make the GDPR art. 30 record of processing; consent and objection rules per purpose are what
 * the access policies read.
 */
import { z } from 'zod';
import type { DataMap } from './data-map.js';
import type { RetentionSchedule } from './retention.js';

const purposeSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
    name: z.string().min(1),
    description: z.string().min(1),
    basis: z.string().min(1),
    subjects: z.array(z.string().min(1)).min(1),
    categories: z.array(z.string().min(1)).min(1),
    recipients: z.array(z.string().min(1)),
    retention: z.array(z.string().min(1)),
    /** required: processing runs only while the subject's latest consent for it is `given`. */
    consent: z.enum(['required', 'not-required']).default('not-required'),
    /** allowed: a subject may object (art. 21) and processing for it stops for them. */
    objection: z.enum(['allowed', 'not-applicable']),
    /** What a restriction (art. 18) leaves of this purpose. */
    duringRestriction: z.enum(['stopped', 'allowed', 'allowed-in-emergency']).default('stopped'),
  })
  .strict();

export const processingFileSchema = z
  .object({
    version: z.literal(1),
    controller: z.object({ role: z.enum(['controller', 'processor']), note: z.string() }).strict(),
    purposes: z.array(purposeSchema).min(1),
    security: z.array(z.string().min(1)).min(1),
    transfers: z.array(
      z.object({ recipient: z.string(), country: z.string(), safeguard: z.string() }).strict(),
    ),
  })
  .strict();

export type ProcessingPurpose = z.infer<typeof purposeSchema>;
export type ProcessingRecordSource = z.infer<typeof processingFileSchema>;

export function buildProcessing(
  document: unknown,
  dataMap: DataMap,
  schedules: readonly RetentionSchedule[],
): { processing?: ProcessingRecordSource; issues: string[] } {
  const parsed = processingFileSchema.safeParse(document);
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`),
    };
  }
  const issues: string[] = [];
  const scheduleIds = new Set(schedules.map((s) => s.id));
  const ids = new Set<string>();
  for (const purpose of parsed.data.purposes) {
    if (ids.has(purpose.id)) issues.push(`purposes.${purpose.id}: duplicate id`);
    ids.add(purpose.id);
    for (const category of purpose.categories) {
      if (!dataMap.categories.has(category))
        issues.push(`purposes.${purpose.id}: unknown category ${category}`);
    }
    for (const schedule of purpose.retention) {
      if (!scheduleIds.has(schedule))
        issues.push(`purposes.${purpose.id}: unknown retention schedule ${schedule}`);
    }
  }
  // Every personal category must be covered by some purpose: data without a purpose has no lawful basis.
  const covered = new Set(parsed.data.purposes.flatMap((p) => p.categories));
  for (const category of dataMap.categories.values()) {
    if (category.personal && !covered.has(category.name)) {
      issues.push(`categories.${category.name}: personal data that no purpose covers`);
    }
  }
  return issues.length > 0 ? { issues } : { processing: parsed.data, issues };
}
