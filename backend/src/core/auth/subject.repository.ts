/** Keeps the users table in step with verified token claims and reads the attributes policies need. */
import { Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';

const subjectRow = z.object({
  id: z.uuid(),
  subject_patient_id: z.uuid().nullable(),
  patient_ids: z.array(z.uuid()),
  inserted: z.boolean(),
  tenant_id: z.uuid().nullable(),
  username: z.string(),
  roles: z.array(z.string()),
  site_ids: z.array(z.uuid()),
  /** The claim-derived values before this sync; null when the account was just created. */
  before: z
    .object({
      tenant_id: z.uuid().nullable(),
      username: z.string(),
      roles: z.array(z.string()),
      site_ids: z.array(z.uuid()),
    })
    .nullable(),
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
  /**
   * Creates the user on first sight, refreshes claim-derived attributes afterwards; one statement,
   * in the caller's transaction, returning the values before and after so the change can be audited.
   */
  upsertFromClaims(user: UserSync, db: Queryable): Promise<SyncedSubject> {
    return db.one(sql.type(subjectRow)`
      WITH before AS (
        SELECT tenant_id, username, roles, site_ids FROM users WHERE external_id = ${user.externalId}
      ), synced AS (
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
        RETURNING u.id, u.subject_patient_id, u.tenant_id, u.username, u.roles, u.site_ids, (u.xmax = 0) AS inserted
      )
      SELECT synced.*,
        ARRAY(SELECT ca.patient_id FROM care_assignments ca WHERE ca.user_id = synced.id ORDER BY ca.patient_id)
          AS patient_ids,
        (SELECT to_jsonb(before) FROM before) AS before
      FROM synced`);
  }
}
