/**
 * Who may work a request, decided by the policy rather than by a role name: an assignee must be a
 * person whose own ability allows `update:PrivacyRequest` on the request, and reminders go to the
 * assignee or, without one, to everyone of the tenant the policy lets work it. Staff accounts carry
 * no address from the identity provider; a tenant administrator records one as the `email`
 * attribute (and optionally `locale`) of the account.
 */
import { asResource, roles as knownRoles, type Role } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { AuthzService } from '../../../core/authz/authz.service.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import type { PrivacyRequestRecord } from './requests.repository.js';

const staffRow = z.object({
  id: z.uuid(),
  tenant_id: z.uuid().nullable(),
  roles: z.array(z.string()),
  site_ids: z.array(z.uuid()),
  subject_patient_id: z.uuid().nullable(),
  patient_ids: z.array(z.uuid()),
  email: z.string().nullable(),
  locale: z.string().nullable(),
});
type StaffRow = z.infer<typeof staffRow>;

export interface Recipient {
  userId: string;
  email: string;
  locale: string | null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

@Injectable()
export class PrivacyStaff {
  /** Roles some rule lets update requests: the only accounts worth asking the policy about. */
  private readonly workingRoles: Role[];

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AuthzService) private readonly authz: AuthzService,
  ) {
    this.workingRoles = [
      ...new Set(
        this.authz.policies.rules
          .filter(
            (r) => r.effect === 'allow' && r.resource === 'PrivacyRequest' && r.actions.includes('update'),
          )
          .flatMap((r) => r.roles),
      ),
    ];
  }

  /** Whether this account may work the request (the policy, evaluated for them). */
  async mayWork(
    userId: string,
    request: PrivacyRequestRecord,
    db: Queryable = this.db.pool,
  ): Promise<boolean> {
    const row = await db.maybeOne(sql.type(staffRow)`${this.select()} WHERE u.id = ${userId}`);
    return row !== null && this.allows(row, request);
  }

  /** The assignee's address, or the addresses of everyone who may work the request. */
  async recipients(request: PrivacyRequestRecord, db: Queryable = this.db.pool): Promise<Recipient[]> {
    const rows = request.assigneeId
      ? await db.any(sql.type(staffRow)`${this.select()} WHERE u.id = ${request.assigneeId}`)
      : await db.any(sql.type(staffRow)`${this.select()}
          WHERE u.tenant_id = ${request.tenantId} AND u.roles && ${sql.array(this.workingRoles, 'text')}`);
    return rows
      .filter((row) => row.email !== null && EMAIL.test(row.email) && this.allows(row, request))
      .map((row) => ({ userId: row.id, email: row.email as string, locale: row.locale }));
  }

  private select() {
    return sql.fragment`
      SELECT u.id, u.tenant_id, u.roles, u.site_ids, u.subject_patient_id,
        ARRAY(SELECT ca.patient_id FROM care_assignments ca WHERE ca.user_id = u.id) AS patient_ids,
        CASE WHEN jsonb_typeof(u.attributes -> 'email') = 'string' THEN u.attributes ->> 'email' END AS email,
        CASE WHEN jsonb_typeof(u.attributes -> 'locale') = 'string' THEN u.attributes ->> 'locale' END AS locale
      FROM users u`;
  }

  private allows(row: StaffRow, request: PrivacyRequestRecord): boolean {
    const subject = {
      userId: row.id,
      roles: row.roles.filter((r): r is Role => (knownRoles as readonly string[]).includes(r)),
      tenantId: row.tenant_id,
      siteIds: row.site_ids,
      patientIds: row.patient_ids,
      subjectPatientId: row.subject_patient_id,
    };
    return this.authz.abilityFor(subject, {}).can('update', asResource('PrivacyRequest', { ...request }));
  }
}
