/**
 * Runs the audit trail's background work in this instance: sealing recorded events (every
 * AUDIT_SEAL_INTERVAL_MS), signing tree heads (every AUDIT_TREE_HEAD_INTERVAL_MS) and verifying the
 * whole trail (every AUDIT_VERIFY_INTERVAL_MS). Each job reschedules itself only after its run
 * ends, so runs never overlap; advisory locks keep instances from doing the same work twice.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type SignedTreeHead } from '@custos/audit';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Logger } from 'pino';
import { sql } from 'slonik';
import { z } from 'zod';
import { AuthzService } from '../authz/authz.service.js';
import { APP_CONFIG, type AppConfig, describeConfig } from '../config/config.js';
import { APP_LOGGER } from '../core.tokens.js';
import { Database } from '../database/database.js';
import { loggableError } from '../logging/logger.js';
import { AuditMetrics } from './audit-metrics.js';
import { AuditRecorder, type EventAuthor } from './audit-recorder.js';
import { advisoryXactLock, VERIFY_LOCK } from './locks.js';
import { MASTER_KEY, type MasterKey } from './master-key.js';
import { rotateSigningKey } from './rotate-signing-key.js';
import { AuditSealer } from './sealer.js';
import { SigningKeys } from './signing-keys.js';
import { type VerificationResult, verifySnapshot } from './trail-verifier.js';
import { latestHead, TreeSigner, witnessPublicKey } from './tree-signer.js';

export const SOFTWARE_VERSION = '0.1.0';

const verificationRow = z.object({
  started_at: z.string(),
  finished_at: z.string(),
  ok: z.boolean(),
  checked_events: z.coerce.number(),
  tree_size: z.coerce.number().nullable(),
  first_bad_seq: z.coerce.number().nullable(),
  bad_tree_size: z.coerce.number().nullable(),
  reason: z.string().nullable(),
});

@Injectable()
export class AuditTrail implements OnApplicationBootstrap, OnModuleDestroy {
  readonly sealer: AuditSealer;
  readonly signer: TreeSigner;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private verifying: Promise<VerificationResult> | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(SigningKeys) readonly keys: SigningKeys,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
    @Inject(AuditMetrics) private readonly metrics: AuditMetrics,
    @Inject(AuthzService) private readonly authz: AuthzService,
    @Inject(MASTER_KEY) private readonly master: MasterKey,
  ) {
    this.sealer = new AuditSealer(db);
    this.signer = new TreeSigner(
      db,
      keys,
      config.AUDIT_WITNESS_URL
        ? {
            url: config.AUDIT_WITNESS_URL,
            publicKey: witnessPublicKey(config.AUDIT_WITNESS_PUBLIC_KEY),
            timeoutMs: config.AUDIT_WITNESS_TIMEOUT_MS,
          }
        : null,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.recordStart();
    if (!this.config.AUDIT_JOBS_ENABLED) return;
    this.every('seal', this.config.AUDIT_SEAL_INTERVAL_MS, () => this.seal());
    this.every('sign', this.config.AUDIT_TREE_HEAD_INTERVAL_MS, () => this.sign());
    if (this.config.AUDIT_VERIFY_INTERVAL_MS > 0) {
      this.every(
        'verify',
        this.config.AUDIT_VERIFY_INTERVAL_MS,
        () => this.scheduledVerification(),
        Math.min(5_000, this.config.AUDIT_VERIFY_INTERVAL_MS),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.allSettled([...this.running]);
  }

  /** Seals everything recorded so far and signs a head over it: what a reader who needs "now" calls. */
  async flush(): Promise<SignedTreeHead | null> {
    await this.seal(true);
    await this.sign(true);
    return latestHead(this.db.pool);
  }

  async seal(wait = false): Promise<number> {
    const sealed = await this.sealer.sealAll(wait);
    this.metrics.sealed.inc(sealed);
    return sealed;
  }

  async sign(wait = false): Promise<SignedTreeHead | null> {
    const head = await this.signer.signNext(wait);
    if (head) {
      this.metrics.treeSize.set(head.treeSize);
      if (this.config.AUDIT_WITNESS_URL) {
        const offered = this.signer.offerToWitness(head).then((cosig) => {
          if (!cosig) this.metrics.witnessFailures.inc();
        });
        // The scheduled signer never waits for the witness (a slow witness must not slow the
        // heads); an explicit flush does, so that its caller sees the co-signature.
        if (wait) await offered;
        else {
          this.running.add(offered);
          void offered.finally(() => this.running.delete(offered));
        }
      }
    }
    return head;
  }

  /**
   * Verifies the whole trail now (one run at a time across instances: a caller who asks while a
   * run is under way shares it), stores the result, and records an event when the trail goes from
   * verified to diverged.
   */
  verify(): Promise<VerificationResult> {
    this.verifying ??= this.runVerification(true).finally(() => {
      this.verifying = undefined;
    }) as Promise<VerificationResult>;
    return this.verifying;
  }

  private async scheduledVerification(): Promise<void> {
    const result = this.verifying ? null : await this.runVerification(false);
    if (!result) {
      // Another instance verified: every instance's gauge follows the newest stored result.
      const latest = await this.latestVerification();
      if (latest) this.metrics.verificationOk.set(latest.ok ? 1 : 0);
    }
  }

  private async runVerification(wait: boolean): Promise<VerificationResult | null> {
    const previous = await this.latestVerification();
    const result = await verifySnapshot(this.db.pool, { master: this.master }, (tx) =>
      advisoryXactLock(tx, VERIFY_LOCK, wait),
    );
    if (!result) return null; // another instance is verifying
    this.metrics.verificationOk.set(result.ok ? 1 : 0);
    this.metrics.verifiedEvents.set(result.checkedEvents);
    await this.db.pool.query(sql.unsafe`
      INSERT INTO audit_verifications
        (started_at, ok, checked_events, tree_size, first_bad_seq, bad_tree_size, reason)
      VALUES (${result.startedAt}, ${result.ok}, ${result.checkedEvents}, ${result.treeSize},
              ${result.firstBadSeq}, ${result.badTreeSize}, ${result.reason})`);
    if (!result.ok) {
      this.logger.error(
        { firstBadSeq: result.firstBadSeq, badTreeSize: result.badTreeSize },
        'audit trail verification failed',
      );
      if (previous && !previous.ok) return result; // already recorded when it first failed
      await this.recorder.recordDurably('system', {
        type: 'audit.verification_failed',
        outcome: 'failed',
        resource: { type: 'AuditTrail', id: null, tenantId: null },
        payload: {
          firstBadSeq: result.firstBadSeq,
          treeSize: result.badTreeSize,
          reason: result.reason ?? 'unknown',
        },
      });
    }
    return result;
  }

  /** Retires the signing key and makes a new one; the rotation is itself an event (as in `npm run audit:rotate-key`). */
  async rotateSigningKey(author: EventAuthor): Promise<{ keyId: string; previousKeyId: string | null }> {
    return rotateSigningKey(this.db, this.keys, this.recorder, author);
  }

  /** The newest verification result, whichever instance ran it. */
  async latestVerification(): Promise<VerificationResult | null> {
    const row = await this.db.pool.maybeOne(
      sql.type(verificationRow)`
        SELECT started_at, finished_at, ok, checked_events, tree_size, first_bad_seq, bad_tree_size, reason
        FROM audit_verifications ORDER BY id DESC LIMIT 1`,
    );
    if (!row) return null;
    return {
      ok: row.ok,
      checkedEvents: row.checked_events,
      treeSize: row.tree_size,
      checkedHeads: 0,
      keysAuthenticated: true, // runs of the service always have the master key
      firstBadSeq: row.first_bad_seq,
      badTreeSize: row.bad_tree_size,
      reason: row.reason,
      startedAt: row.started_at,
      durationMs: Date.parse(row.finished_at) - Date.parse(row.started_at),
    };
  }

  /**
   * Every start is an event carrying the hashes of the policy set and of the (non-secret)
   * configuration in force; a change since the previous start is an event of its own.
   */
  private async recordStart(): Promise<void> {
    const policySha256 = sha256(canonicalJson(JSON.parse(JSON.stringify(this.authz.policies.rules))));
    const { DATABASE_URL: _a, DATABASE_MIGRATION_URL: _b, ...rest } = describeConfig(this.config);
    const configSha256 = sha256(canonicalJson(JSON.parse(JSON.stringify(rest))));
    // By the platform's own actor id: the actor index makes this a short backward scan, not a
    // pass over the whole trail at every start.
    const previous = await this.db.pool.maybeOne(
      sql.type(z.object({ event: z.string() }))`
        SELECT entry AS event FROM audit_events
        WHERE actor_id = 'custos' AND type = 'system.started' ORDER BY seq DESC LIMIT 1`,
    );
    const before = previous
      ? (JSON.parse(previous.event) as { payload: { policySha256: string; configSha256: string } }).payload
      : null;
    const system = { type: 'Platform', id: null, tenantId: null };
    const drafts: Parameters<AuditRecorder['recordDurably']>[1][] = [
      {
        type: 'system.started',
        resource: system,
        payload: { policySha256, configSha256, version: SOFTWARE_VERSION },
      },
    ];
    if (before?.policySha256 !== policySha256) {
      drafts.push({
        type: 'policy.changed',
        resource: { ...system, type: 'PolicySet' },
        payload: { previousSha256: before?.policySha256 ?? null, sha256: policySha256 },
      });
    }
    if (before?.configSha256 !== configSha256) {
      drafts.push({
        type: 'config.changed',
        resource: { ...system, type: 'Configuration' },
        payload: { previousSha256: before?.configSha256 ?? null, sha256: configSha256 },
      });
    }
    await this.recorder.recordDurably('system', ...drafts);
  }

  private every(
    job: string,
    intervalMs: number,
    run: () => Promise<unknown>,
    firstDelayMs = intervalMs,
  ): void {
    const schedule = (delay: number) => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const work = run()
          .catch((error) => {
            this.metrics.jobFailures.inc({ job });
            this.logger.error({ job, err: loggableError(error) }, 'audit job failed');
          })
          .finally(() => {
            this.running.delete(work);
            schedule(intervalMs);
          });
        this.running.add(work);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    schedule(firstDelayMs);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
