/**
 * Retention receipts: for each tenant a run covered, what went (per schedule, category and period)
 * and which holds kept data back, signed with Ed25519 by the audit trail's active signing key over
 * the RFC 8785 canonical JSON of the receipt without its `signature`. The receipt is appended to
 * the audit trail as `privacy.retention_receipt` and kept in the run's report; anyone holding the
 * trail's public keys (GET /api/v1/audit/keys, or an audit bundle) can check it on its own.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import {
  type AuditPayload,
  canonicalBytes,
  eventPayloads,
  type PublicKeyRecord,
  publicKeyFromRecord,
} from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { SigningKeys } from '../../../core/audit/signing-keys.js';
import type { Queryable } from '../../../core/database/database.js';
import type { RetentionReport, TenantSection } from './retention-report.js';

export type RetentionReceipt = AuditPayload<'privacy.retention_receipt'>;
export type UnsignedReceipt = Omit<RetentionReceipt, 'signature'>;

export function unsignedReceipt(
  report: RetentionReport,
  section: TenantSection,
  keyId: string,
): UnsignedReceipt {
  return {
    runId: report.runId,
    tenantId: section.tenantId,
    dryRun: report.dryRun,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt as string,
    schedules: section.schedules.map((s) => ({
      schedule: s.schedule,
      category: s.category,
      action: s.action,
      cutoff: s.cutoff,
      from: s.from,
      to: s.to,
      rows: s.rows,
      partitions: s.partitions,
      held: s.held,
    })),
    holds: [...section.holds],
    keyId,
  };
}

export function signReceipt(receipt: UnsignedReceipt, privateKey: KeyObject): RetentionReceipt {
  const signature = sign(null, canonicalBytes(receipt), privateKey).toString('base64');
  return { ...receipt, signature };
}

export type ReceiptCheck = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * Checks a receipt against the trail's public keys. Never throws: anything malformed, an unknown
 * key or a changed field is `ok: false` with the reason.
 */
export function verifyReceipt(receipt: unknown, keys: readonly PublicKeyRecord[]): ReceiptCheck {
  const parsed = eventPayloads['privacy.retention_receipt'].safeParse(receipt);
  if (!parsed.success) return { ok: false, reason: 'not a retention receipt' };
  const { signature, ...signed } = parsed.data;
  if (!signature || !signed.keyId) return { ok: false, reason: 'unsigned' };
  const record = keys.find((key) => key.keyId === signed.keyId);
  if (!record) return { ok: false, reason: `unknown key ${signed.keyId}` };
  let publicKey: KeyObject;
  try {
    publicKey = publicKeyFromRecord(record);
  } catch {
    return { ok: false, reason: `unusable key ${signed.keyId}` };
  }
  const bytes = Buffer.from(signature, 'base64');
  const valid = bytes.length === 64 && verify(null, canonicalBytes(signed), publicKey, bytes);
  return valid ? { ok: true, keyId: signed.keyId } : { ok: false, reason: 'signature does not match' };
}

@Injectable()
export class RetentionReceipts {
  constructor(
    @Inject(SigningKeys) private readonly keys: SigningKeys,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  /** Signs a receipt per tenant section and appends each to the audit trail, in the caller's transaction. */
  async issue(tx: Queryable, report: RetentionReport): Promise<RetentionReceipt[]> {
    const key = await this.keys.active(tx);
    const receipts: RetentionReceipt[] = [];
    for (const section of report.tenants) {
      const receipt = signReceipt(unsignedReceipt(report, section, key.keyId), key.privateKey);
      await this.audit.record(tx, 'system', {
        type: 'privacy.retention_receipt',
        resource: { type: 'RetentionRun', id: report.runId, tenantId: section.tenantId },
        payload: receipt,
      });
      receipts.push(receipt);
    }
    return receipts;
  }

  /** The trail's public keys, to verify receipts with. */
  publicKeys(): Promise<PublicKeyRecord[]> {
    return this.keys.all();
  }
}
