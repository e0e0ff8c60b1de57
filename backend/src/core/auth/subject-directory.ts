/**
 * Resolves a verified token to the subject attributes that policies decide on. Synchronising the
 * user on every request would cost a write per call, so results are cached per instance for
 * AUTHZ_SUBJECT_CACHE_TTL_MS, keyed by the claims themselves: a token with changed claims is a
 * cache miss and is synchronised at once.
 */

import type { Role, SubjectAttributes } from '@custos/policies';
import { roles as knownRoles } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventDraft } from '../audit/audit-recorder.js';
import { changeDraft } from '../audit/change-events.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Database } from '../database/database.js';
import { AppError } from '../errors/app-error.js';
import { sqlStateOf } from '../errors/to-app-error.js';
import { SubjectRepository, type SyncedSubject } from './subject.repository.js';
import type { TokenClaims } from './token-verifier.js';

const MAX_ENTRIES = 10_000;

export interface Principal extends SubjectAttributes {
  externalId: string;
  username: string;
}

@Injectable()
export class SubjectDirectory {
  private readonly cache = new Map<string, { principal: Principal; expires: number }>();
  /** The verifier hands back the same claims object for the same token: the common case skips the key. */
  private readonly byClaims = new WeakMap<TokenClaims, { principal: Principal; expires: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SubjectRepository) private readonly repository: SubjectRepository,
    @Inject(Database) private readonly db: Database,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async resolve(claims: TokenClaims): Promise<Principal> {
    const known = this.byClaims.get(claims);
    if (known && known.expires > Date.now()) return known.principal;
    const entry = await this.resolveByKey(claims);
    if (this.config.AUTHZ_SUBJECT_CACHE_TTL_MS > 0) this.byClaims.set(claims, entry);
    return entry.principal;
  }

  private async resolveByKey(claims: TokenClaims): Promise<{ principal: Principal; expires: number }> {
    const roles = (claims.realm_access?.roles ?? []).filter((r): r is Role =>
      (knownRoles as readonly string[]).includes(r),
    );
    const siteIds = [...new Set(claims.site_ids ?? [])].sort();
    const tenantId = claims.tenant_id ?? null;
    const username = claims.preferred_username ?? claims.sub;
    const key = JSON.stringify([claims.iss, claims.sub, username, tenantId, roles, siteIds]);
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit;

    let synced: Awaited<ReturnType<SubjectRepository['upsertFromClaims']>>;
    try {
      // The account and its audit event commit together: no change to `users` goes unrecorded.
      synced = await this.db.transaction(async (tx) => {
        const result = await this.repository.upsertFromClaims(
          { externalId: claims.sub, issuer: claims.iss, username, tenantId, roles, siteIds },
          tx,
        );
        const draft = syncDraft(result);
        if (draft) await this.audit.record(tx, 'system', draft);
        return result;
      });
    } catch (error) {
      if (sqlStateOf(error) === '23503') {
        // The tenant in the token does not exist here, or the account holds care assignments in
        // another tenant (a user moving tenants must have them removed first).
        throw new AppError('unauthenticated', {
          detail: "The account cannot be synchronised with the token's tenant; ask an administrator.",
        });
      }
      throw error;
    }
    const principal: Principal = {
      userId: synced.id,
      externalId: claims.sub,
      username,
      roles,
      tenantId,
      siteIds,
      patientIds: synced.patient_ids,
      subjectPatientId: synced.subject_patient_id,
    };
    const entry = { principal, expires: now + this.config.AUTHZ_SUBJECT_CACHE_TTL_MS };
    if (this.config.AUTHZ_SUBJECT_CACHE_TTL_MS > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, entry);
    }
    return entry;
  }
}

/**
 * The audit event of a sign-in synchronisation that created the account or changed what the
 * identity provider says about it (tenant, username, roles, sites); null when nothing changed.
 */
function syncDraft(synced: SyncedSubject): EventDraft | null {
  const view = (row: {
    tenant_id: string | null;
    username: string;
    roles: string[];
    site_ids: string[];
  }) => ({
    id: synced.id,
    tenantId: row.tenant_id,
    username: row.username,
    roles: row.roles,
    siteIds: row.site_ids,
  });
  const after = view(synced);
  const before = synced.before ? view(synced.before) : null;
  if (before && JSON.stringify(before) === JSON.stringify(after)) return null;
  return changeDraft(synced.inserted ? 'user.provisioned' : 'user.updated', 'User', before, after, {
    subject: { kind: 'user', tenantId: after.tenantId, id: synced.id },
  });
}
