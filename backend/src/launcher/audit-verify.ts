/**
 * `npm run audit:verify`: recomputes the whole audit trail from the database (hash chain, stored
 * tree nodes, every signed tree head) and reports the first divergence. Exit code 0 when the trail
 * verifies, 1 when it does not, 2 when it could not run. `--json` prints the result as JSON.
 * Connects to DATABASE_URL, else to the embedded server (started for the run if it is not up).
 */
import { createConnection } from 'node:net';
import { loadMasterKeyFile } from '../core/audit/master-key.js';
import { verifySnapshot } from '../core/audit/trail-verifier.js';
import { loadConfig } from '../core/config/config.js';
import { appUrlFor } from '../core/database/admin.js';
import { createApiPool } from '../core/database/pool.js';
import { embeddedUrl, startEmbeddedPostgres } from './embedded-postgres.js';
import { DATABASE_NAME } from './stack.js';

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const config = loadConfig();
  let url = config.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  if (!url) {
    if (!(await answers(config.EMBEDDED_PG_PORT))) {
      const embedded = await startEmbeddedPostgres({
        dataDir: config.EMBEDDED_PG_DATA_DIR,
        port: config.EMBEDDED_PG_PORT,
      });
      stop = () => embedded.stop();
    }
    url = appUrlFor(embeddedUrl(config.EMBEDDED_PG_PORT, DATABASE_NAME));
  }
  // With the master key, signing keys are proven to be this deployment's own (see VerifyOptions).
  const master = await loadMasterKeyFile(config.AUDIT_MASTER_KEY_FILE, { create: false }).catch(
    () => undefined,
  );
  const pool = await createApiPool({ ...config, DATABASE_STATEMENT_TIMEOUT_MS: 600_000 }, url);
  try {
    const result = (await verifySnapshot(pool, { master })) as NonNullable<
      Awaited<ReturnType<typeof verifySnapshot>>
    >;
    const rate = result.durationMs > 0 ? Math.round((result.checkedEvents * 1000) / result.durationMs) : 0;
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...result, eventsPerSecond: rate })}\n`);
    } else if (result.ok) {
      if (!result.keysAuthenticated) {
        process.stdout.write(
          `WARNING: AUDIT_MASTER_KEY_FILE was not readable, so the signing keys were not proven to be this deployment's own\n`,
        );
      }
      process.stdout.write(
        `VERIFIED: ${result.checkedEvents} events and ${result.checkedHeads} signed tree heads (newest: ${result.treeSize ?? 'none'}) in ${result.durationMs} ms (${rate} events/s)\n`,
      );
    } else {
      process.stdout.write(
        `FAILED: ${result.reason}\n  first divergent sequence number: ${result.firstBadSeq ?? '-'}\n  tree head: ${result.badTreeSize ?? '-'}\n  events checked before it: ${result.checkedEvents}\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await pool.end();
    await stop?.();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `verification could not run: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
