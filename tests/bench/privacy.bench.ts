/**
 * `npm run bench:privacy`: privacy operations at scale, on a durable embedded PostgreSQL (fsync and
 * synchronous_commit on, as `npm start` runs it), migrated and seeded with the demo world, the
 * backend's classes taken from backend/dist and connected as the API's non-owner role. Prints one
 * table (targets beside measurements) and writes bench-results/privacy.json. Not a test: figures
 * vary with the machine. Results and their reading: docs/benchmarks.md § Privacy operations.
 *
 * Sections (tests/bench/privacy/*.ts), run in order on the same database:
 * 1. retention: telemetry in daily partitions; dry run, real run and a second run; per dropped
 *    partition the drop time and the WAL written; a day kept by a legal hold trimmed in batches.
 *
 * 2. subject: one patient with 1,000,000 telemetry rows; the export of an access request (time,
 *    peak RSS of its process) and the erasure of the same person (time), each in a child process.
 *
 * Settings: --rows N (10,000,000; BENCH_ROWS), --days N (100, at least 92: days 91 and older expire;
 * BENCH_DAYS), --batch-size N (5,000, RETENTION_BATCH_SIZE's default; BENCH_BATCH_SIZE),
 * --subject-rows N (1,000,000; BENCH_SUBJECT_ROWS).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { appUrlFor, ensureAppLogin, ensureDatabase } from '../../backend/dist/core/database/admin.js';
import { migrate } from '../../backend/dist/core/database/migrator.js';
import { createDatabasePool } from '../../backend/dist/core/database/pool.js';
import { startEmbeddedPostgres } from '../../backend/dist/launcher/embedded-postgres.js';
import { seedDemo } from '../../backend/dist/launcher/seed.js';
import { retentionSection } from './privacy/retention.ts';
import type { BenchSettings, Section, TableRow } from './privacy/section.ts';
import { subjectSection } from './privacy/subject.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string' },
    days: { type: 'string' },
    'batch-size': { type: 'string' },
    'subject-rows': { type: 'string' },
  },
});
const number = (arg: string | undefined, env: string, fallback: number) =>
  Number(arg ?? process.env[env] ?? fallback);
const settings: BenchSettings = {
  rows: number(args.rows, 'BENCH_ROWS', 10_000_000),
  days: number(args.days, 'BENCH_DAYS', 100),
  batchSize: number(args['batch-size'], 'BENCH_BATCH_SIZE', 5000),
  subjectRows: number(args['subject-rows'], 'BENCH_SUBJECT_ROWS', 1_000_000),
};
if (!(settings.rows >= settings.days && settings.days >= 92 && settings.batchSize >= 100)) {
  throw new Error('Use --rows ≥ --days, --days ≥ 92 (days 91 and older expire) and --batch-size ≥ 100');
}
const sections: Section[] = [retentionSection, subjectSection];

const root = new URL('../../', import.meta.url).pathname;
const benchStarted = performance.now();
const loadBefore = loadavg();
const progress = (message: string) =>
  process.stderr.write(
    `[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(3)} s] ${message}\n`,
  );

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const dir = await mkdtemp(path.join(tmpdir(), 'custos-bench-privacy-'));
progress(`starting a durable embedded PostgreSQL in ${dir}`);
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
try {
  await ensureDatabase(server.adminUrl, 'custos');
  const ownerUrl = server.urlFor('custos');
  await migrate(ownerUrl);
  await ensureAppLogin(server.adminUrl);
  const seedPool = await createDatabasePool({
    connectionUri: ownerUrl,
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  await seedDemo(seedPool, 'http://bench.invalid/realms/custos');
  await seedPool.end();
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const postgres = (
    await owner.query(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit`,
    )
  ).rows[0];
  await owner.end();

  const context = { settings, ownerUrl, appUrl: appUrlFor(ownerUrl), progress };
  const table: TableRow[] = [];
  const results: Record<string, unknown> = {};
  for (const section of sections) {
    progress(`section ${section.name}`);
    const { table: rows, json } = await section.run(context);
    table.push(...rows);
    results[section.name] = json;
  }

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    node: process.version,
    postgres,
    loadAverageBefore: loadBefore.map((l) => Number(l.toFixed(2))),
    loadAverageAfter: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.table(table);
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, PostgreSQL ${postgres.version} ` +
      `(fsync ${postgres.fsync}, synchronous_commit ${postgres.synchronous_commit}); 1-min load ` +
      `${machine.loadAverageBefore[0]} before, ${machine.loadAverageAfter[0]} after`,
  );
  await mkdir(path.join(root, 'bench-results'), { recursive: true });
  const report = {
    benchmark: 'privacy',
    date: new Date().toISOString(),
    machine,
    settings,
    sections: results,
    table,
    totalSeconds: Math.round((performance.now() - benchStarted) / 1000),
  };
  await writeFile(path.join(root, 'bench-results/privacy.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written: bench-results/privacy.json (total ${report.totalSeconds} s)`);
} finally {
  await server.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
