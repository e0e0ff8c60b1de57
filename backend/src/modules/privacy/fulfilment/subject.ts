/**
 * Who a request is about, completed from the database: a patient's own accounts (users whose
 * `subject_patient_id` names them) are the same person, and so is the patient record an account is
 * the data subject of. Every step of fulfilment works on this whole set, so that a request filed with
 * only a patient id still reaches the person's account, and the other way round.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { FulfilmentRequest } from './fulfilment.service.js';

export interface Subject {
  tenantId: string;
  patientIds: string[];
  userIds: string[];
}

const idsRow = z.object({ patient_ids: z.array(z.string()), user_ids: z.array(z.string()) });

export async function resolveSubject(db: Queryable, request: FulfilmentRequest): Promise<Subject> {
  if (!request.subjectPatientId && !request.subjectUserId) {
    throw new AppError('invalid_state_transition', { detail: 'The request is linked to no data subject' });
  }
  const patient = request.subjectPatientId;
  const user = request.subjectUserId;
  const row = await db.one(sql.type(idsRow)`
    WITH patients AS (
      SELECT p.id FROM patients p WHERE p.tenant_id = ${request.tenantId} AND p.id = ${patient}::uuid
      UNION
      SELECT u.subject_patient_id FROM users u
      WHERE u.tenant_id = ${request.tenantId} AND u.id = ${user}::uuid AND u.subject_patient_id IS NOT NULL
    )
    SELECT
      ARRAY(SELECT id::text FROM patients ORDER BY id) AS patient_ids,
      ARRAY(
        SELECT u.id::text FROM users u
        WHERE u.tenant_id = ${request.tenantId}
          AND (u.id = ${user}::uuid OR u.subject_patient_id IN (SELECT id FROM patients))
        ORDER BY u.id) AS user_ids`);
  if (row.patient_ids.length === 0 && row.user_ids.length === 0) {
    // The ids name no one in the request's tenant: nothing would be found, and saying "done" would be false.
    throw new AppError('invalid_reference', {
      detail: 'The request’s data subject does not exist in its tenant',
    });
  }
  return { tenantId: request.tenantId, patientIds: row.patient_ids, userIds: row.user_ids };
}

/** A record under which the audit trail may hold the person's events; `legacy`: see trailRecords. */
export interface TrailRecord {
  kind: 'patient' | 'user';
  tenantId: string | null;
  id: string;
  legacy: boolean;
}

/**
 * The records whose pseudonyms may carry the person's events: one per record, and for a patient the
 * same without a tenant, under which a patient's reads of their own device were recorded before that
 * was fixed (patient ids are unique across tenants, so no one else shares that pseudonym).
 */
export function trailRecords(subject: Subject): TrailRecord[] {
  return subjectRecords(subject).flatMap((record) => [
    { ...record, legacy: false },
    ...(record.kind === 'patient' ? [{ ...record, tenantId: null, legacy: true }] : []),
  ]);
}

/** The audit trail knows a person by one pseudonym per record (patient and account). */
export function subjectRecords(
  subject: Subject,
): Array<{ kind: 'patient' | 'user'; tenantId: string; id: string }> {
  return [
    ...subject.patientIds.map((id) => ({ kind: 'patient' as const, tenantId: subject.tenantId, id })),
    ...subject.userIds.map((id) => ({ kind: 'user' as const, tenantId: subject.tenantId, id })),
  ];
}
