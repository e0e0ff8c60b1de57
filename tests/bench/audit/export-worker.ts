/**
 * A child process of `npm run bench:audit`, so that its peak RSS is the export's alone and not the
 * benchmark's leftovers. Runs what AuditExportService.export does (flush, head, span, range proof,
 * the export record and its audit event, writeBundle over the repository's streamed rows) for one
 * tenant, streams the bundle to a file and prints one line of JSON.
 *
 * Environment: BENCH_FILE, BENCH_DATABASE_URL, BENCH_MASTER_KEY (base64), BENCH_TENANT.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_DOMAIN, rangeProof, signMessage, writeBundle } from '../../../audit/dist/index.js';
import { AuditRecorder } from '../../../backend/dist/core/audit/audit-recorder.js';
import { LocalMasterKey } from '../../../backend/dist/core/audit/master-key.js';
import { AuditSealer } from '../../../backend/dist/core/audit/sealer.js';
import { SigningKeys } from '../../../backend/dist/core/audit/signing-keys.js';
import { SubjectVault } from '../../../backend/dist/core/audit/subject-vault.js';
import { TrailTree } from '../../../backend/dist/core/audit/trail-tree.js';
import { TreeSigner } from '../../../backend/dist/core/audit/tree-signer.js';
import { loadConfig } from '../../../backend/dist/core/config/config.js';
import { Database } from '../../../backend/dist/core/database/database.js';
import { createApiPool } from '../../../backend/dist/core/database/pool.js';
import { AuditRepository } from '../../../backend/dist/modules/audit/audit.repository.js';

const env = process.env as Record<string, string>;

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 50);

async function exportBundle() {
  const pool = await createApiPool(
    loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '600000' }),
    env.BENCH_DATABASE_URL,
  );
  const db = new Database(pool);
  const master = new LocalMasterKey(Buffer.from(env.BENCH_MASTER_KEY, 'base64'));
  const keys = new SigningKeys(db, master);
  const recorder = new AuditRecorder(db, new SubjectVault(master, db));
  const repository = new AuditRepository(db);
  const tenantId = env.BENCH_TENANT;
  // What a compliance officer of the tenant gets: actor.condition('export', 'AuditEvent') and the filter.
  const access = { kind: 'eq', field: 'tenantId', value: tenantId };
  const filter = { tenantId };
  const rssBefore = process.memoryUsage.rss();
  peakRss = rssBefore;

  const started = performance.now();
  await new AuditSealer(db).sealAll(true);
  await new TreeSigner(db, keys, null).signNext(true);
  const head = await repository.headAtOrBelow(Number.MAX_SAFE_INTEGER);
  const span = await repository.span(access, filter, head.treeSize);
  const range = await rangeProof(new TrailTree(pool), span.first, span.last + 1, head.treeSize);
  const id = randomUUID();
  await db.transaction(async (tx: unknown) => {
    await repository.recordExport(tx, {
      id,
      tenantId,
      requestedBy: 'bench',
      filter,
      treeSize: head.treeSize,
    });
    await recorder.record(tx, 'system', {
      type: 'audit.exported',
      resource: { type: 'AuditEvent', id: null, tenantId },
      payload: { exportId: id, filter, treeSize: head.treeSize },
    });
  });
  const signing = await keys.active();
  const logKeys = (await keys.all()).map(({ keyId, algorithm, publicKey }: Record<string, string>) => ({
    keyId,
    algorithm,
    publicKey,
  }));
  const prepared = performance.now();
  const stream = writeBundle({
    exportId: id,
    createdAt: new Date().toISOString(),
    filter,
    period: { from: null, to: null },
    treeHead: head,
    cosignatures: [],
    logKeys,
    witnessKeys: [],
    range,
    rows: repository.rowsForExport(access, filter, span.first, span.last),
    signManifest: (bytes: Buffer) => ({
      keyId: signing.keyId,
      signature: signMessage(MANIFEST_DOMAIN, bytes, signing.privateKey).toString('base64'),
    }),
  });
  await pipeline(stream, createWriteStream(env.BENCH_FILE));
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return {
    events: span.count,
    leaves: span.last - span.first + 1,
    treeSize: head.treeSize,
    seconds,
    prepareSeconds: (prepared - started) / 1000,
    bytes: (await stat(env.BENCH_FILE)).size,
    rssBefore,
    logKeys,
  };
}

const result = await exportBundle();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage.rss());
process.stdout.write(
  `${JSON.stringify({ ...result, peakRss, maxRssKernel: process.resourceUsage().maxRSS * 1024 })}\n`,
);
