/**
 * What a data subject has said about the processing of their data, as flags the access policies read
 * (policies/abac.yaml): a restriction (GDPR art. 18: everything but storage stops, except where a
 * purpose allows more), an objection to a purpose (art. 21) and consent to it (art. 6(1)(a), 9(2)(a)).
 * Each flag is an SQL expression over the row that names the patient, so the same rule filters a list
 * in SQL (a column map entry) and, read alongside the row, decides a single check in memory.
 *
 * The rows behind the flags: `processing_restrictions` (written by data-subject requests, active while
 * `lifted_at` is null) and `consent_records` (the latest record per purpose is in force).
 */
import { loadPrivacyDeclarations, type ProcessingPurpose } from '@custos/policies';
import { type FragmentSqlToken, type IdentifierSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';

export interface ProcessingFlags {
  /** An active restriction (art. 18) of the patient. */
  processingRestricted: boolean;
  /** Telemetry of the patient may be used for analytics: consent in force, no objection, no restriction. */
  analyticsAllowed: boolean;
}

/** The row's patient and tenant columns, e.g. `sql.identifier(['d', 'patient_id'])`. */
interface PatientRef {
  patient: FragmentSqlToken | IdentifierSqlToken;
  tenant: FragmentSqlToken | IdentifierSqlToken;
}

function purposeOf(id: string): ProcessingPurpose {
  const purpose = loadPrivacyDeclarations().processing.purposes.find((p) => p.id === id);
  if (!purpose) throw new Error(`processing.yaml declares no purpose ${id}`);
  return purpose;
}

/** True while the patient has an active restriction; false for a row without a patient. */
export function restrictedSql({ patient, tenant }: PatientRef): FragmentSqlToken {
  return sql.fragment`(${patient} IS NOT NULL AND EXISTS (
    SELECT 1 FROM processing_restrictions pr
    WHERE pr.patient_id = ${patient} AND pr.tenant_id = ${tenant}
      AND pr.kind = 'restriction' AND pr.lifted_at IS NULL))`;
}

/**
 * True when the patient's data may be processed for `purpose`, as processing.yaml declares it: with
 * consent in force where the purpose requires consent, without an objection where objection is
 * allowed, and without a restriction unless the purpose continues during one. Never NULL.
 */
export function purposeAllowedSql(purposeId: string, ref: PatientRef): FragmentSqlToken {
  const purpose = purposeOf(purposeId);
  const { patient, tenant } = ref;
  const tests: FragmentSqlToken[] = [sql.fragment`${patient} IS NOT NULL`];
  if (purpose.consent === 'required') {
    tests.push(sql.fragment`coalesce((
      SELECT cr.action = 'given' FROM consent_records cr
      WHERE cr.patient_id = ${patient} AND cr.tenant_id = ${tenant} AND cr.purpose = ${purpose.id}
      ORDER BY cr.recorded_at DESC, cr.id DESC LIMIT 1), false)`);
  }
  if (purpose.objection === 'allowed') {
    tests.push(sql.fragment`NOT EXISTS (
      SELECT 1 FROM processing_restrictions po
      WHERE po.patient_id = ${patient} AND po.tenant_id = ${tenant}
        AND po.kind = 'objection' AND po.purpose = ${purpose.id} AND po.lifted_at IS NULL)`);
  }
  // An emergency exception is the policies' to grant (a rule with purpose emergency), not a flag's.
  if (purpose.duringRestriction !== 'allowed') tests.push(sql.fragment`NOT ${restrictedSql(ref)}`);
  return sql.fragment`(${sql.join(tests, sql.fragment` AND `)})`;
}

/** Every flag, as SQL over the row's patient, keyed by the field name policies use. */
export function processingFlagsSql(ref: PatientRef): Record<keyof ProcessingFlags, FragmentSqlToken> {
  return { processingRestricted: restrictedSql(ref), analyticsAllowed: purposeAllowedSql('analytics', ref) };
}

const flagRow = z.object({
  patient_id: z.string(),
  processing_restricted: z.boolean(),
  analytics_allowed: z.boolean(),
});

/**
 * The flags of each patient, for rows that name a patient other than their device's current one
 * (telemetry measured while the device monitored someone else).
 */
export async function readProcessingFlags(
  db: Queryable,
  tenantId: string,
  patientIds: readonly string[],
): Promise<Map<string, ProcessingFlags>> {
  if (patientIds.length === 0) return new Map();
  const flags = processingFlagsSql({
    patient: sql.identifier(['p', 'id']),
    tenant: sql.fragment`${tenantId}::uuid`,
  });
  const rows = await db.any(sql.type(flagRow)`
    SELECT p.id AS patient_id, ${flags.processingRestricted} AS processing_restricted,
           ${flags.analyticsAllowed} AS analytics_allowed
    FROM unnest(${sql.array([...patientIds], 'uuid')}) AS p(id)`);
  return new Map(
    rows.map((row) => [
      row.patient_id,
      { processingRestricted: row.processing_restricted, analyticsAllowed: row.analytics_allowed },
    ]),
  );
}
