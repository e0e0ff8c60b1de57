/** `npm run db:migrate`: applies pending migrations as DATABASE_MIGRATION_URL (else DATABASE_URL, else the embedded server). */
import { loadConfig } from '../core/config/config.js';
import { ensureAppLogin, ensureDatabase } from '../core/database/admin.js';
import { migrate } from '../core/database/migrator.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { DATABASE_NAME } from './stack.js';

async function main() {
  const config = loadConfig();
  let url = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL;
  let adminUrl: string | undefined;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const embedded = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DATA_DIR,
      port: config.EMBEDDED_PG_PORT,
    });
    stopEmbedded = () => embedded.stop();
    await ensureDatabase(embedded.adminUrl, DATABASE_NAME);
    url = embedded.urlFor(DATABASE_NAME);
    adminUrl = embedded.adminUrl;
  }
  try {
    const { applied } = await migrate(url);
    if (adminUrl) await ensureAppLogin(adminUrl);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n');
  } finally {
    await stopEmbedded?.();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
