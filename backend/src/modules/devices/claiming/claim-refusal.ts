/**
 * How a claim attempt is refused. Every way a code can fail (unknown serial, a device of another
 * tenant, a wrong, used, replaced or expired code) gets the same answer, so that the answer never
 * tells whether a serial number exists; only the audit trail records which it was.
 */
import type { AuditPayload } from '@custos/audit';
import { AppError } from '../../../core/errors/app-error.js';

export type RefusalReason = NonNullable<AuditPayload<'device.claim_code_redeemed'>['reason']>;

export interface Refusal {
  reason: RefusalReason;
  error: AppError;
  /** The device the attempt reached, when the serial number is one of the caller's tenant. */
  device: { id: string; tenantId: string } | null;
  claimCodeId?: string;
  attempts?: number;
}

export function invalidClaimCode(): AppError {
  return new AppError('invalid_claim_code', {
    detail: 'This serial number and claim code do not let you claim a device.',
  });
}

export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError('too_many_attempts', {
    detail: 'Too many failed claim attempts. Try again later.',
    headers: { 'retry-after': String(retryAfterSeconds) },
    extensions: { retryAfterSeconds },
  });
}
