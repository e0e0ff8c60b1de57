/**
 * Signed export bundles for compliance officers and auditors: for a filter and period, a streamed
 * tar archive (format in docs/audit-bundle.md) holding the events, a range proof tying them to a signed
 * tree head, a consistency proof against the tenant's previous export, the public keys and a
 * signed manifest. The export is itself an audit event, recorded before the first byte leaves.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  type BundleInput,
  consistencyProof,
  MANIFEST_DOMAIN,
  rangeProof,
  signMessage,
  writeBundle,
} from '@custos/audit';
import type { Condition } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { AuditTrail } from '../../core/audit/audit-trail.js';
import { TrailTree } from '../../core/audit/trail-tree.js';
import { headAt, latestHead } from '../../core/audit/tree-signer.js';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { AppError } from '../../core/errors/app-error.js';
import type { ExportAuditBody } from './audit.dto.js';
import { AuditRepository, type ResolvedFilter } from './audit.repository.js';
import { AuditService } from './audit.service.js';

@Injectable()
export class AuditExportService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(AuditRepository) private readonly repository: AuditRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
    @Inject(AuditTrail) private readonly trail: AuditTrail,
  ) {}

  async export(actor: Actor, body: ExportAuditBody): Promise<{ id: string; stream: Readable }> {
    const tenantId = body.tenantId ?? actor.principal.tenantId;
    // Exports are per tenant: the caller must be allowed to export that tenant's trail.
    actor.assert('export', 'AuditEvent', { tenantId });
    const filter = { ...(await this.audit.resolveFilter(actor, body)), tenantId: tenantId ?? undefined };
    const access = actor.condition('export', 'AuditEvent');

    const { head, span, range, previous } = await this.audit.proofs(() =>
      this.prove(access, filter, tenantId),
    );

    const id = randomUUID();
    const plainFilter = Object.fromEntries(Object.entries(filter).filter(([, v]) => typeof v === 'string'));
    // Everything that can fail comes before the export is recorded: one export, one event.
    const signing = await this.trail.keys.active();
    const keys = await this.audit.keys(actor);
    await this.db.transaction(async (tx) => {
      await this.repository.recordExport(tx, {
        id,
        tenantId,
        requestedBy: actor.principal.userId,
        filter: plainFilter,
        treeSize: head.treeSize,
      });
      await this.recorder.record(tx, actor, {
        type: 'audit.exported',
        resource: { type: 'AuditEvent', id: null, tenantId },
        payload: { exportId: id, filter: plainFilter as Record<string, string>, treeSize: head.treeSize },
      });
    });

    const input: BundleInput = {
      exportId: id,
      createdAt: new Date().toISOString(),
      filter: plainFilter,
      period: { from: body.from ?? null, to: body.to ?? null },
      treeHead: head,
      cosignatures: (await this.audit.withCosignatures(head)).cosignatures,
      logKeys: keys.logKeys.map(({ keyId, algorithm, publicKey }) => ({ keyId, algorithm, publicKey })),
      witnessKeys: keys.witnessKeys,
      range,
      rows: span ? this.repository.rowsForExport(access, filter, span.first, span.last) : emptyRows(),
      ...(previous ? { previous } : {}),
      signManifest: (bytes) => ({
        keyId: signing.keyId,
        signature: signMessage(MANIFEST_DOMAIN, bytes, signing.privateKey).toString('base64'),
      }),
    };
    return { id, stream: writeBundle(input) };
  }

  /** The head the bundle is tied to, the matching events' span, and the proofs. */
  private async prove(access: Condition, filter: ResolvedFilter, tenantId: string | null) {
    // Cover everything recorded so far with a head, so the export includes events up to now.
    await this.trail.flush();
    const head = await latestHead(this.db.pool);
    if (!head) throw new AppError('conflict', { detail: 'The audit trail has no signed tree head yet.' });
    const span = await this.repository.span(access, filter, head.treeSize);
    const tree = new TrailTree(this.db.pool);
    const range = span ? await rangeProof(tree, span.first, span.last + 1, head.treeSize) : null;
    const previousSize = await this.repository.previousExportSize(tenantId);
    const previousHead = previousSize ? await headAt(this.db.pool, previousSize) : null;
    const previous =
      previousHead && previousHead.treeSize <= head.treeSize
        ? {
            treeHead: previousHead,
            consistency: await consistencyProof(tree, previousHead.treeSize, head.treeSize),
          }
        : undefined;
    return { head, span, range, previous };
  }
}

async function* emptyRows() {}
