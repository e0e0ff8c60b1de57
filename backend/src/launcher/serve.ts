/**
 * The API alone, as production runs it (one container per instance, any number side by side):
 * no embedded database, broker or identity provider; the schema is migrated beforehand by
 * `npm run db:migrate`. It prints one line when it listens, and on SIGTERM or SIGINT stops
 * cleanly: telemetry it has not committed stays unacknowledged, so the broker redelivers it.
 */
import { createApp } from '../app.js';
import { ConfigError, loadConfig } from '../core/config/config.js';
import { Database } from '../core/database/database.js';
import { createApiPool } from '../core/database/pool.js';

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new ConfigError(['DATABASE_URL: required (this entry starts no database)']);
  const pool = await createApiPool(config, config.DATABASE_URL);
  const app = await createApp({ config, database: new Database(pool) });
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.API_PORT;
  process.stderr.write(`[custos] API listening on ${config.API_HOST}:${port}\n`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      void app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0));
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[custos] failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
