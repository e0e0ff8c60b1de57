/**
 * `npm run audit:rotate-key`: retires the tree-head signing key and creates its successor, and
 * records the rotation in the trail (`audit.signing_key_rotated`), in one transaction. Heads signed
 * by the retired key keep verifying; any head it signs after its retirement fails verification.
 * Prints the new and previous key ids. Uses DATABASE_URL (else the running embedded server) and
 * AUDIT_MASTER_KEY_FILE, like the API.
 */
import { AuditRecorder } from '../core/audit/audit-recorder.js';
import { loadMasterKeyFile } from '../core/audit/master-key.js';
import { rotateSigningKey } from '../core/audit/rotate-signing-key.js';
import { SigningKeys } from '../core/audit/signing-keys.js';
import { SubjectVault } from '../core/audit/subject-vault.js';
import { loadConfig } from '../core/config/config.js';
import { appUrlFor } from '../core/database/admin.js';
import { Database } from '../core/database/database.js';
import { createApiPool } from '../core/database/pool.js';
import { embeddedUrl } from './embedded-postgres.js';
import { DATABASE_NAME } from './stack.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const url = config.DATABASE_URL ?? appUrlFor(embeddedUrl(config.EMBEDDED_PG_PORT, DATABASE_NAME));
  const master = await loadMasterKeyFile(config.AUDIT_MASTER_KEY_FILE, { create: false });
  const pool = await createApiPool(config, url);
  try {
    const db = new Database(pool);
    const keys = new SigningKeys(db, master);
    const recorder = new AuditRecorder(db, new SubjectVault(master, db));
    const rotated = await rotateSigningKey(db, keys, recorder, 'system');
    process.stdout.write(
      `rotated: new key ${rotated.keyId}, retired ${rotated.previousKeyId ?? '(none)'}\n` +
        'Publish the new key id to auditors through a channel they trust (GET /api/v1/audit/keys).\n',
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
