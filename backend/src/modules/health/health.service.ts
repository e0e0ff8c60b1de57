import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '../../core/audit/audit-trail.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/config.js';
import { Database } from '../../core/database/database.js';

type CheckResult = 'up' | 'down';

@Injectable()
export class HealthService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AuditTrail) private readonly trail: AuditTrail,
  ) {}

  async readiness() {
    const [database, identityProvider] = await Promise.all([
      this.db.isReachable().then((ok): CheckResult => (ok ? 'up' : 'down')),
      this.jwksReachable(),
    ]);
    // Only the database gates readiness. An identity provider outage must not take every instance
    // out of service: tokens signed by keys already fetched still verify. It is reported, and
    // alerting watches it.
    const status: 'ready' | 'not_ready' = database === 'up' ? 'ready' : 'not_ready';
    return { status, checks: { database, identityProvider }, auditTrail: await this.auditTrail(database) };
  }

  /** The newest verification, without personal data: sequence numbers and counts only. */
  private async auditTrail(database: CheckResult) {
    const result = database === 'up' ? await this.trail.latestVerification().catch(() => null) : null;
    return {
      verification: result ? (result.ok ? 'verified' : 'diverged') : ('not_yet_run' as const),
      verifiedAt: result?.startedAt ?? null,
      checkedEvents: result?.checkedEvents ?? null,
      firstBadSeq: result?.firstBadSeq ?? null,
      badTreeSize: result?.badTreeSize ?? null,
    } as const;
  }

  /** The public probe must not become a way to hammer the identity provider: one check per 5 s. */
  private jwksCheck: { at: number; result: Promise<CheckResult> } | undefined;

  private jwksReachable(): Promise<CheckResult> {
    const now = Date.now();
    if (!this.jwksCheck || now - this.jwksCheck.at > 5_000) {
      this.jwksCheck = { at: now, result: this.fetchJwks() };
    }
    return this.jwksCheck.result;
  }

  private async fetchJwks(): Promise<CheckResult> {
    try {
      const response = await fetch(this.config.OIDC_JWKS_URI, { signal: AbortSignal.timeout(2_000) });
      return response.ok ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }
}
