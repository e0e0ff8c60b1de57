/**
 * Forward-only SQL migrations from backend/migrations (`NNNN_name.sql`), each applied once in its
 * own transaction and recorded with a checksum. An advisory lock makes concurrent instances wait
 * for each other instead of racing. A migration that was edited after being applied is refused:
 * history is never rewritten (write a new migration instead).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const defaultMigrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** A migration whose first line is this marker runs outside a transaction. */
const NO_TRANSACTION = /^--\s*custos:no-transaction\b/;

const MIGRATION_LOCK_ID = 4_201_871_114; // arbitrary, stable: "custos migrations"

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: MigrationFile[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`Migration file name must look like 0001_name.sql: ${file}`);
    const text = await readFile(new URL(file, `file://${dir.endsWith('/') ? dir : `${dir}/`}`), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] as string,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`Migrations must be numbered without gaps; expected ${i + 1} at ${m.name}`);
  });
  return migrations;
}

export async function migrate(
  connectionUri: string,
  dir = defaultMigrationsDir,
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(dir);
  // A plain pg client, not the slonik pool: migration files hold many statements, which only
  // PostgreSQL's simple query protocol accepts, and which slonik deliberately refuses.
  const client = new pg.Client({ connectionString: connectionUri, application_name: 'custos-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations',
    );
    const checksums = new Map(rows.map((r) => [r.version, r.checksum]));
    const done: string[] = [];
    for (const m of migrations) {
      const known = checksums.get(m.version);
      if (known !== undefined) {
        if (known !== m.checksum) {
          throw new Error(
            `Migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead`,
          );
        }
        continue;
      }
      const record = () =>
        client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
      try {
        if (NO_TRANSACTION.test(m.sql)) {
          // For statements PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY on a
          // large table): the file holds exactly one statement, recorded once it has succeeded.
          await client.query(m.sql);
          await record();
        } else {
          await client.query('BEGIN');
          await client.query(m.sql);
          await record();
          await client.query('COMMIT');
        }
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${m.version}_${m.name} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      done.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
    }
    return { applied: done };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
