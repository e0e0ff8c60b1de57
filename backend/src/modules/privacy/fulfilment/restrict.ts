/**
 * Restriction (GDPR art. 18) and objection (art. 21) as rows in `processing_restrictions`, which the
 * access policies read as flags (core/authz/processing-flags.ts): a restricted patient's data is only
 * stored (a clinician reads it in an emergency only); an objection stops processing for a purpose that
 * allows objecting (processing.yaml `objection: allowed`). One row per subject record (patient,
 * account), kind and purpose; a flag already in force is not added twice. Each new flag records
 * `privacy.restriction_changed` in the same transaction.
 */
import type { ProcessingPurpose } from '@custos/policies';
import { sql } from 'slonik';
import { z } from 'zod';
import type { AuditRecorder, EventSubject } from '../../../core/audit/audit-recorder.js';
import type { Database, Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { FulfilmentOutcome } from './fulfilment.service.js';
import { type Subject, subjectRecords } from './subject.js';

export type Flag = { kind: 'restriction'; purpose: null } | { kind: 'objection'; purpose: string };

const idRow = z.object({ id: z.string() });

/** The flags an objection sets, and why the purposes it cannot stop go on. */
export function objectionFlags(
  purposes: readonly string[],
  declared: readonly ProcessingPurpose[],
): { flags: Flag[]; refused: FulfilmentOutcome['kept'] } {
  if (purposes.length === 0) {
    throw AppError.validation([
      {
        location: 'body',
        path: 'objectionPurposes',
        message: 'Name at least one purpose',
        code: 'too_small',
      },
    ]);
  }
  const flags: Flag[] = [];
  const refused: FulfilmentOutcome['kept'] = [];
  for (const id of new Set(purposes)) {
    const purpose = declared.find((p) => p.id === id);
    if (purpose?.objection === 'allowed') flags.push({ kind: 'objection', purpose: id });
    else {
      refused.push({
        table: 'processing_restrictions',
        reason: purpose
          ? `Objection to "${id}" does not apply: this processing does not rest on legitimate interests or consent (GDPR art. 21(1)).`
          : `"${id}" is not a purpose of processing here.`,
      });
    }
  }
  return { flags, refused };
}

/** Sets the flags for every record of the subject; returns how many are in force for the request. */
export async function setFlags(
  db: Database,
  recorder: AuditRecorder,
  requestId: string,
  subject: Subject,
  flags: readonly Flag[],
): Promise<Record<string, number>> {
  let inForce = 0;
  await db.transaction(async (tx) => {
    for (const record of subjectRecords(subject)) {
      await lockSubject(tx, record);
      for (const flag of flags) {
        const column = sql.identifier(['r', record.kind === 'patient' ? 'patient_id' : 'user_id']);
        const added = await tx.maybeOne(sql.type(idRow)`
          INSERT INTO processing_restrictions (tenant_id, patient_id, user_id, kind, purpose, request_id)
          SELECT ${record.tenantId}, ${record.kind === 'patient' ? record.id : null}::uuid,
                 ${record.kind === 'user' ? record.id : null}::uuid, ${flag.kind}, ${flag.purpose}::text, ${requestId}
          WHERE NOT EXISTS (
            SELECT 1 FROM processing_restrictions r
            WHERE r.tenant_id = ${record.tenantId} AND ${column} = ${record.id} AND r.kind = ${flag.kind}
              AND r.purpose IS NOT DISTINCT FROM ${flag.purpose}::text AND r.lifted_at IS NULL)
          RETURNING id`);
        inForce += 1;
        if (added) await recorder.record(tx, 'system', changed(requestId, record, flag, true));
      }
    }
  });
  return { processing_restrictions: inForce };
}

/**
 * Lifts the subject's flags of this kind and purpose (GDPR art. 18(3): the subject is told before a
 * restriction is lifted); returns how many were in force. The rows stay, lifted, as a record.
 */
export async function liftFlags(
  db: Database,
  recorder: AuditRecorder,
  subject: Subject,
  flag: Flag,
  reason: string,
): Promise<number> {
  return db.transaction(async (tx) => {
    let lifted = 0;
    for (const record of subjectRecords(subject)) {
      await lockSubject(tx, record);
      const column = sql.identifier(['r', record.kind === 'patient' ? 'patient_id' : 'user_id']);
      const rows = await tx.any(sql.type(idRow)`
        UPDATE processing_restrictions r SET lifted_at = now(), lifted_reason = ${reason}
        WHERE r.tenant_id = ${record.tenantId} AND ${column} = ${record.id} AND r.kind = ${flag.kind}
          AND r.purpose IS NOT DISTINCT FROM ${flag.purpose}::text AND r.lifted_at IS NULL
        RETURNING r.id`);
      for (const _ of rows) await recorder.record(tx, 'system', changed(null, record, flag, false));
      lifted += rows.length;
    }
    return lifted;
  });
}

/** Two runs for the same person (a job retried while its first run still ends) add no duplicate flag. */
async function lockSubject(tx: Queryable, record: EventSubject): Promise<void> {
  await tx.query(
    sql.unsafe`SELECT pg_advisory_xact_lock(hashtextextended(${`restriction:${record.kind}:${record.id}`}, 0))`,
  );
}

function changed(requestId: string | null, record: EventSubject, flag: Flag, active: boolean) {
  return {
    type: 'privacy.restriction_changed' as const,
    resource: { type: 'PrivacyRequest', id: requestId, tenantId: record.tenantId },
    subject: record,
    payload: { kind: flag.kind, purpose: flag.purpose, active },
  };
}
