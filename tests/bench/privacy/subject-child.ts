/**
 * One data-subject request fulfilled in a process of its own, so that its peak memory (maxRSS) is
 * the request's and not the benchmark's: the backend's FulfilmentService from backend/dist, wired by
 * hand as Nest would wire it, connected as the API's role. Prints one JSON line:
 * { ms, outcome, rssBeforeMB, maxRssMB }. Argument: a JSON object { appUrl, request, batchSize }.
 */
import { randomBytes } from 'node:crypto';
import { AuditRecorder } from '../../../backend/dist/core/audit/audit-recorder.js';
import { LocalMasterKey } from '../../../backend/dist/core/audit/master-key.js';
import { SubjectErasure } from '../../../backend/dist/core/audit/subject-erasure.js';
import { SubjectVault } from '../../../backend/dist/core/audit/subject-vault.js';
import { loadConfig } from '../../../backend/dist/core/config/config.js';
import { Database } from '../../../backend/dist/core/database/database.js';
import { createApiPool } from '../../../backend/dist/core/database/pool.js';
import { FulfilmentService } from '../../../backend/dist/modules/privacy/fulfilment/fulfilment.service.js';

const { appUrl, request, batchSize } = JSON.parse(process.argv[2] ?? '{}');
const config = loadConfig({ DATABASE_POOL_SIZE: '4', RETENTION_BATCH_SIZE: String(batchSize) });
const pool = await createApiPool(config, appUrl);
const db = new Database(pool);
const vault = new SubjectVault(new LocalMasterKey(randomBytes(32)), db);
const recorder = new AuditRecorder(db, vault);
const service = new FulfilmentService(db, vault, new SubjectErasure(db, vault, recorder), recorder, config);
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
const outcome = await service.fulfil(request, {
  progress: async () => undefined,
  signal: new AbortController().signal,
});
const ms = performance.now() - started;
await pool.end();
// resourceUsage().maxRSS is in kilobytes: the peak of the whole process, start-up included.
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ms, outcome, rssBeforeMB, maxRssMB })}\n`);
