/**
 * Signing-key rotation as one recorded act: the key is retired, its successor made and
 * `audit.signing_key_rotated` recorded, in one transaction. Used by `AuditTrail` and by
 * `npm run audit:rotate-key`.
 */
import type { Database } from '../database/database.js';
import type { AuditRecorder, EventAuthor } from './audit-recorder.js';
import type { SigningKeys } from './signing-keys.js';

export function rotateSigningKey(
  db: Database,
  keys: SigningKeys,
  recorder: AuditRecorder,
  author: EventAuthor,
): Promise<{ keyId: string; previousKeyId: string | null }> {
  return db.transaction(async (tx) => {
    const rotated = await keys.rotate(tx);
    await recorder.record(tx, author, {
      type: 'audit.signing_key_rotated',
      resource: { type: 'AuditTrail', id: null, tenantId: null },
      payload: rotated,
    });
    return rotated;
  });
}
