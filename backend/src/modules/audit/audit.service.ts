/**
 * The audit API's rules: who may search which part of the trail, what they see of each event
 * (personal data decrypted only for roles whose policy shows it), and the proofs that let anyone
 * check what they were shown against a signed tree head.
 */
import {
  consistencyProof,
  inclusionProof,
  keyIdOf,
  type SealedData,
  type SignedTreeHead,
  toHex,
  type WitnessCosignature,
} from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { AuditTrail } from '../../core/audit/audit-trail.js';
import { SealedDataUnreadable, SubjectVault } from '../../core/audit/subject-vault.js';
import { TrailIncompleteError, TrailTree } from '../../core/audit/trail-tree.js';
import type { VerificationResult } from '../../core/audit/trail-verifier.js';
import { headAt, latestHead, TrailDivergedError, witnessPublicKey } from '../../core/audit/tree-signer.js';
import type { Actor } from '../../core/authz/actor.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/config.js';
import { Database } from '../../core/database/database.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Page } from '../../core/http/pagination.js';
import type { AuditEventView, AuditFilter, SearchAuditQuery } from './audit.dto.js';
import { type AuditEventRow, AuditRepository, type ResolvedFilter } from './audit.repository.js';

export type TreeHeadView = SignedTreeHead & { cosignatures: WitnessCosignature[] };

@Injectable()
export class AuditService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AuditRepository) private readonly repository: AuditRepository,
    @Inject(SubjectVault) private readonly vault: SubjectVault,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
    @Inject(AuditTrail) private readonly trail: AuditTrail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async search(actor: Actor, query: SearchAuditQuery): Promise<Page<AuditEventView>> {
    const filter = await this.resolveFilter(actor, query);
    const afterSeq = decodeSeqCursor(query.cursor, query.order);
    const rows = await this.repository.search(actor.condition('read', 'AuditEvent'), filter, {
      afterSeq,
      order: query.order,
      limit: query.limit,
    });
    const pageRows = rows.slice(0, query.limit);
    const items = await Promise.all(pageRows.map((row) => this.present(actor, row)));
    const last = pageRows.at(-1);
    await this.recorder.recordDurably(actor, {
      type: 'audit.searched',
      // Filed under the searched tenant only when the caller may read it: a filter naming another
      // tenant must not write the caller's personal data into that tenant's trail.
      resource: { type: 'AuditEvent', id: null, tenantId: this.searchTenant(actor, filter.tenantId) },
      payload: { filter: plainFilter(filter), count: items.length },
    });
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeSeqCursor(last.seq, query.order) : null,
    };
  }

  async get(actor: Actor, seq: number): Promise<AuditEventView> {
    const row = await this.repository.findOne(seq, actor.condition('read', 'AuditEvent'));
    if (!row) throw AppError.notFound('AuditEvent');
    const view = await this.present(actor, row);
    // Reading the trail can disclose personal data: the read is recorded like a search.
    await this.recorder.recordDurably(actor, {
      type: 'audit.searched',
      resource: { type: 'AuditEvent', id: String(seq), tenantId: row.tenant_id },
      payload: { filter: { seq: String(seq) }, count: 1 },
    });
    return view;
  }

  async inclusion(actor: Actor, seq: number, treeSize: number | undefined) {
    const row = await this.repository.findOne(seq, actor.condition('read', 'AuditEvent'));
    if (!row) throw AppError.notFound('AuditEvent');
    const head = treeSize ? await headAt(this.db.pool, treeSize) : await latestHead(this.db.pool);
    if (!head) throw AppError.notFound('AuditTreeHead');
    if (seq >= head.treeSize) {
      throw new AppError('conflict', {
        detail: `Event ${seq} is not yet covered by a signed tree head (newest: ${head.treeSize}). Heads are signed every second.`,
      });
    }
    const proof = await this.proofs(() => inclusionProof(new TrailTree(this.db.pool), seq, head.treeSize));
    return {
      seq,
      leafHash: toHex(row.leaf_hash),
      treeSize: head.treeSize,
      proof: proof.map(toHex),
      treeHead: await this.withCosignatures(head),
    };
  }

  async consistency(actor: Actor, from: number, to: number | undefined) {
    this.assertCanReadTrail(actor);
    const newHead = to ? await headAt(this.db.pool, to) : await latestHead(this.db.pool);
    const oldHead = await headAt(this.db.pool, from);
    if (!oldHead || !newHead) throw AppError.notFound('AuditTreeHead');
    if (oldHead.treeSize > newHead.treeSize) {
      throw AppError.validation([
        { location: 'query', path: 'from', message: 'Must not exceed the newer head', code: 'invalid_value' },
      ]);
    }
    const proof = await this.proofs(() =>
      consistencyProof(new TrailTree(this.db.pool), oldHead.treeSize, newHead.treeSize),
    );
    return {
      oldSize: oldHead.treeSize,
      newSize: newHead.treeSize,
      proof: proof.map(toHex),
      oldHead: await this.withCosignatures(oldHead),
      newHead: await this.withCosignatures(newHead),
    };
  }

  async heads(actor: Actor, options: { before?: number; limit: number }): Promise<TreeHeadView[]> {
    this.assertCanReadTrail(actor);
    const heads = await this.repository.heads(options);
    const cosigs = await this.repository.cosignatures(heads.map((h) => h.treeSize));
    return heads.map((h) => ({ ...h, cosignatures: cosigs.get(h.treeSize) ?? [] }));
  }

  async head(actor: Actor, treeSize: number | 'latest'): Promise<TreeHeadView> {
    this.assertCanReadTrail(actor);
    const head =
      treeSize === 'latest' ? await latestHead(this.db.pool) : await headAt(this.db.pool, treeSize);
    if (!head) throw AppError.notFound('AuditTreeHead');
    return this.withCosignatures(head);
  }

  async keys(actor: Actor) {
    this.assertCanReadTrail(actor);
    const logKeys = await this.trail.keys.all();
    const witness = this.config.AUDIT_WITNESS_PUBLIC_KEY;
    return {
      logKeys,
      witnessKeys: witness ? [witnessRecord(witness)] : [],
    };
  }

  async latestVerification(actor: Actor): Promise<VerificationResult> {
    this.assertCanReadTrail(actor);
    const result = await this.trail.latestVerification();
    if (!result) throw AppError.notFound('AuditVerification');
    return result;
  }

  async verifyNow(actor: Actor): Promise<VerificationResult> {
    this.assertCanReadTrail(actor);
    return this.trail.verify();
  }

  /** The filter with the subject turned into its pseudonym. */
  async resolveFilter(actor: Actor, query: AuditFilter): Promise<ResolvedFilter> {
    const { subjectKind, subjectId, ...rest } = query;
    if (!subjectKind || !subjectId) return rest;
    const tenantId = query.tenantId ?? actor.principal.tenantId;
    // Turning a person's id into their pseudonym links them to their events: only for roles that
    // may read the personal data inside events.
    if (!this.mayReadPersonal(actor, tenantId)) {
      throw AppError.forbidden('read:AuditEvent.personal');
    }
    return { ...rest, subject: await this.vault.pseudonym(subjectKind, tenantId, subjectId) };
  }

  private mayReadPersonal(actor: Actor, tenantId: string | null): boolean {
    return 'personal' in actor.visible('AuditEvent', { tenantId, personal: null });
  }

  private searchTenant(actor: Actor, requested: string | undefined): string | null {
    if (requested && actor.can('read', 'AuditEvent', { tenantId: requested })) return requested;
    return actor.principal.tenantId;
  }

  assertCanReadTrail(actor: Actor): void {
    if (!actor.ability.can('read', 'AuditEvent')) throw AppError.forbidden('read:AuditEvent');
  }

  async withCosignatures(head: SignedTreeHead): Promise<TreeHeadView> {
    const cosigs = await this.repository.cosignatures([head.treeSize]);
    return { ...head, cosignatures: cosigs.get(head.treeSize) ?? [] };
  }

  private async present(actor: Actor, row: AuditEventRow): Promise<AuditEventView> {
    const entry = JSON.parse(row.entry) as Record<string, unknown> & {
      time: string;
      sealed: SealedData | null;
    };
    const base = {
      seq: row.seq,
      time: entry.time,
      tenantId: row.tenant_id,
      entry,
      leafHash: toHex(row.leaf_hash),
    };
    const mayReadPersonal = 'personal' in actor.visible('AuditEvent', { ...base, personal: null });
    let personal: Record<string, unknown> | null = null;
    let personalStatus: 'none' | 'available' | 'erased' | 'unreadable' = 'none';
    try {
      if (entry.sealed && mayReadPersonal) {
        personal = await this.vault.open(entry.sealed);
        personalStatus = personal ? 'available' : 'erased';
      } else if (entry.sealed) {
        personalStatus = row.subject_key_gone ? 'erased' : 'available';
      }
    } catch (error) {
      // A key that no longer unwraps (wrong master key) must not hide the rest of the trail.
      if (!(error instanceof SealedDataUnreadable)) throw error;
      personalStatus = 'unreadable';
    }
    return actor.visible('AuditEvent', { ...base, personal, personalStatus });
  }

  /** Runs work that reads the tree; a trail that no longer matches its heads is a 503, not a 500. */
  async proofs<T>(compute: () => Promise<T>): Promise<T> {
    try {
      return await compute();
    } catch (error) {
      if (error instanceof TrailIncompleteError || error instanceof TrailDivergedError) {
        throw new AppError('audit_trail_inconsistent', {
          detail: 'The trail in the database does not match its signed tree heads. Run verification.',
        });
      }
      throw error;
    }
  }
}

function witnessRecord(publicKey: string) {
  return { keyId: keyIdFromRaw(publicKey), algorithm: 'Ed25519' as const, publicKey };
}

function keyIdFromRaw(publicKey: string): string {
  return keyIdOf(witnessPublicKey(publicKey) as NonNullable<ReturnType<typeof witnessPublicKey>>);
}

function plainFilter(filter: ResolvedFilter): Record<string, string> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
}

export function encodeSeqCursor(seq: number, order: string): string {
  return Buffer.from(`${order}:${seq}`).toString('base64url');
}

function decodeSeqCursor(cursor: string | undefined, order: string): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(asc|desc):(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || match[1] !== order) {
    throw AppError.validation([
      { location: 'query', path: 'cursor', message: 'Invalid or expired cursor', code: 'invalid_cursor' },
    ]);
  }
  return Number(match[2]);
}
