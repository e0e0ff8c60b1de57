/** Keeps the users table in step with verified token claims and reads the attributes policies need. */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database } from '../database/database.js';

const subjectRow = z.object({
  id: z.uuid(),
  subject_patient_id: z.uuid().nullable(),
  patient_ids: z.array(z.uuid()),
});

export interface UserSync {
  externalId: string;
  issuer: string;
  username: string;
  tenantId: string | null;
  roles: string[];
  siteIds: string[];
}

export type SyncedSubject = z.infer<typeof subjectRow>;

@Injectable()
export class SubjectRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Creates the user on first sight, refreshes claim-derived attributes afterwards; one round trip. */
  upsertFromClaims(user: UserSync): Promise<SyncedSubject> {
    return this.db.pool.one(sql.type(subjectRow)`
      INSERT INTO users AS u (external_id, issuer, tenant_id, username, roles, site_ids, last_seen_at)
      VALUES (${user.externalId}, ${user.issuer}, ${user.tenantId}, ${user.username},
              ${sql.array(user.roles, 'text')}, ${sql.array(user.siteIds, 'uuid')}, now())
      ON CONFLICT (external_id) DO UPDATE SET
        issuer = EXCLUDED.issuer,
        tenant_id = EXCLUDED.tenant_id,
        username = EXCLUDED.username,
        roles = EXCLUDED.roles,
        site_ids = EXCLUDED.site_ids,
        last_seen_at = EXCLUDED.last_seen_at,
        updated_at = CASE
          WHEN (u.tenant_id, u.username, u.roles, u.site_ids) IS DISTINCT FROM
               (EXCLUDED.tenant_id, EXCLUDED.username, EXCLUDED.roles, EXCLUDED.site_ids)
          THEN now() ELSE u.updated_at END,
        version = CASE
          WHEN (u.tenant_id, u.username, u.roles, u.site_ids) IS DISTINCT FROM
               (EXCLUDED.tenant_id, EXCLUDED.username, EXCLUDED.roles, EXCLUDED.site_ids)
          THEN u.version + 1 ELSE u.version END
      RETURNING u.id, u.subject_patient_id,
        ARRAY(SELECT ca.patient_id FROM care_assignments ca WHERE ca.user_id = u.id ORDER BY ca.patient_id) AS patient_ids`);
  }
}
