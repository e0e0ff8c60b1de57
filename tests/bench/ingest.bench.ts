/**
 * `npm run bench:ingest`: device telemetry through the real path (devices over mutual TLS → Mosquitto
 * 2.0 → the API process `backend/dist/launcher/serve.js` → a durable PostgreSQL), against a bare
 * MQTT → PostgreSQL consumer on the same broker and load, all in one run on this machine (the load
 * generator included). Prints a table and writes bench-results/ingest.json. Not a test: figures
 * vary with the machine. Results and their reading: docs/benchmarks.md § Ingest.
 *
 * 1. Ingest: BENCH_DEVICES MQTT.js 5 clients, each with its own certificate, publish QoS 1 CX-Temp 2
 *    readings (300 bytes) at a paced total rate, one step per rate in BENCH_RATES. Committed/s from
 *    the database (rows whose transaction began inside the window), publish → commit latency by
 *    polling the database for probe messages, loss = PUBACKed − stored after a drain.
 * 2. Baseline: the same devices publish the same messages to their `state` topic, which a bare
 *    consumer (tests/bench/ingest/baseline-consumer.ts) takes to a plain table. Both consumers stay
 *    connected throughout; Custos and baseline steps alternate at each rate.
 * 3. Connecting BENCH_CONNECT_DEVICES devices (TLS handshake + CONNACK), BENCH_CONNECT_CONCURRENCY
 *    at a time.
 * 4. Revocation → the device's connection closed, on the embedded broker with the API in this
 *    process (tests/bench/ingest/revocation.ts says why), BENCH_REVOCATIONS times.
 * 5. WebSocket fan-out: BENCH_FANOUT_VIEWERS live-channel clients (/api/v1/live) watching one device
 *    that publishes BENCH_FANOUT_MESSAGES points: publish → each viewer has it, p50/p99
 *    (tests/bench/ingest/live-fan-out.ts; embedded broker and API in one process, as npm start).
 *
 * The fleet's keys are software P-256 keys and their certificates are issued directly by the device
 * CA, with the registry rows written by the database owner (tests/bench/ingest/fleet.ts), not
 * through the emulated chip and the provisioning API.
 *
 * Settings: BENCH_DEVICES (1000), BENCH_RATES (15000,20000,25000; BENCH_RATE sets one), BENCH_SECONDS
 * (15 per step), BENCH_WARMUP_SECONDS (3), BENCH_DRAIN_SECONDS (60, longest wait for the backlog),
 * BENCH_PROBE_EVERY (100: one message in 100 is a latency probe), BENCH_CONNECT_DEVICES (2000),
 * BENCH_CONNECT_CONCURRENCY (100), BENCH_REVOCATIONS (20), BENCH_BATCH_SIZE (1000) and
 * BENCH_BATCH_WAIT_MS (20) for both consumers.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import pg from 'pg';
import { appUrlFor, ensureAppLogin, ensureDatabase } from '../../backend/dist/core/database/admin.js';
import { migrate } from '../../backend/dist/core/database/migrator.js';
import { createDatabasePool } from '../../backend/dist/core/database/pool.js';
import { FileCertificateAuthority } from '../../backend/dist/core/pki/file-certificate-authority.js';
import { startIdentityProvider } from '../../backend/dist/dev-idp/identity-provider.js';
import { demoSites, demoTenants } from '../../backend/dist/launcher/demo-data.js';
import { startEmbeddedPostgres } from '../../backend/dist/launcher/embedded-postgres.js';
import { seedDemo } from '../../backend/dist/launcher/seed.js';
import type { BaselineStats } from './ingest/baseline-consumer.ts';
import { type BenchDevice, issueFleet, registerFleet } from './ingest/fleet.ts';
import type { FanOutCommand, FanOutResult } from './ingest/live-fan-out.ts';
import type { ConnectResult, ProbeBatch, RunResult } from './ingest/load-generator.ts';
import { PAYLOAD_BYTES } from './ingest/load-generator.ts';
import { startBenchMosquitto } from './ingest/mosquitto.ts';
import { cpuMeter, cpuSeconds, postgresCpuSeconds, rssMb, rssSampler } from './ingest/processes.ts';
import type { RevocationCommand, RevocationResult } from './ingest/revocation.ts';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const deviceCount = setting('BENCH_DEVICES', 1000);
const rates = (process.env.BENCH_RATES ?? process.env.BENCH_RATE ?? '15000,20000,25000')
  .split(',')
  .map((r) => Number(r.trim()))
  .filter((r) => r > 0);
const seconds = setting('BENCH_SECONDS', 10);
const warmupSeconds = setting('BENCH_WARMUP_SECONDS', 3);
const drainSeconds = setting('BENCH_DRAIN_SECONDS', 60);
const probeEvery = setting('BENCH_PROBE_EVERY', 100);
const backlog = setting('BENCH_BACKLOG', 200_000);
const connectCount = setting('BENCH_CONNECT_DEVICES', 2000);
const connectConcurrency = setting('BENCH_CONNECT_CONCURRENCY', 100);
const revocationCount = setting('BENCH_REVOCATIONS', 20);
const fanOutViewers = setting('BENCH_FANOUT_VIEWERS', 200);
const fanOutMessages = setting('BENCH_FANOUT_MESSAGES', 100);
const fanOutRate = setting('BENCH_FANOUT_RATE', 20);
const batchSize = setting('BENCH_BATCH_SIZE', 1000);
const batchWaitMs = setting('BENCH_BATCH_WAIT_MS', 20);
const RECEIVE_MAXIMUM = 5000; // the backend's MQTT_RECEIVE_MAXIMUM default, for both consumers
const POLL_MS = 20;
const SEQ_SPAN = 1_000_000_000; // each phase's seq numbers: (index · SPAN, (index + 1) · SPAN)

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

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);
const fmt = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US');

/** A forked child (load generator, baseline consumer) spoken to over IPC, one reply type per request. */
class Child {
  private waiters: Array<{ type: string; resolve: (m: never) => void; reject: (e: Error) => void }> = [];
  onProbes: ((batch: ProbeBatch) => void) | undefined;
  readonly proc: ChildProcess;

  constructor(file: string, name: string) {
    this.proc = fork(file, [], {
      execArgv: ['--no-warnings'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (message: { type: string; error?: string }) => {
      if (message.type === 'probes') return this.onProbes?.(message as ProbeBatch);
      if (message.type === 'failed') return this.failAll(new Error(`${name}: ${message.error}`));
      const index = this.waiters.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(message as never);
    });
    this.proc.on('exit', (code) => this.failAll(new Error(`${name} exited (${code})`)));
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  next<T>(type: string): Promise<T> {
    return new Promise<T>((resolve, reject) => this.waiters.push({ type, resolve, reject }));
  }

  request<T>(message: object, reply: string): Promise<T> {
    const answer = this.next<T>(reply);
    this.proc.send(message);
    return answer;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

// Run in reverse order on the way out, after a failure and on Ctrl-C too.
const cleanups: Array<() => Promise<unknown>> = [];
/** Child processes still running (API, devices, baseline, revocation worker): killed at the end. */
const children = new Set<ChildProcess>();
let cleaning: Promise<void> | undefined;
let interrupted = false;
/** Once, however many callers (the end of the run, a failure, Ctrl-C) ask for it. */
const cleanUp = () =>
  (cleaning ??= (async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`${signal}: cleaning up\n`);
    void cleanUp().then(() => process.exit(130));
  });
}

const dir = await mkdtemp(path.join(tmpdir(), 'custos-bench-ingest-'));
cleanups.push(() => rm(dir, { recursive: true, force: true }));
cleanups.push(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
// Last resort if the process ends before the cleanups are done (an uncaught error in a callback,
// Ctrl-C in the middle of a step): nothing may outlive it, neither a child nor the database
// server nor the files. After a normal end there is nothing left to do here.
process.on('exit', () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  try {
    const postmaster = Number(readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (postmaster) process.kill(postmaster, 'SIGKILL');
  } catch {}
  rmSync(dir, { recursive: true, force: true });
});
try {
  // Mosquitto (user `mosquitto` when run as root) must reach its directory inside this one.
  await chmod(dir, 0o755);
  progress(`starting a durable embedded PostgreSQL in ${dir}`);
  const dataDir = path.join(dir, 'pg');
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  cleanups.push(() => server.stop());
  await ensureDatabase(server.adminUrl, 'custos');
  const ownerUrl = server.urlFor('custos');
  await migrate(ownerUrl);
  await ensureAppLogin(server.adminUrl);
  const appUrl = appUrlFor(ownerUrl);

  const idp = await startIdentityProvider({ port: 0 });
  cleanups.push(() => idp.close());
  const seedPool = await createDatabasePool({
    connectionUri: ownerUrl,
    maxPoolSize: 1,
    statementTimeoutMs: 60_000,
  });
  await seedDemo(seedPool, idp.issuer);
  await seedPool.end();

  const owner = new pg.Client({ connectionString: ownerUrl });
  owner.on('error', () => undefined); // the server stopping under it (Ctrl-C): the cleanups handle it
  await owner.connect();
  cleanups.push(() => owner.end());
  // The baseline's table: what arrived, nothing else (no key, no partitions, no checks).
  await owner.query(`
    CREATE TABLE bench_baseline_telemetry (
      topic text NOT NULL, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now());
    GRANT SELECT, INSERT ON bench_baseline_telemetry TO custos_app`);
  const serverInfo = (
    await owner.query(
      `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit`,
    )
  ).rows[0] as Record<string, string>;

  const pkiDir = path.join(dir, 'pki');
  const masterKeyFile = path.join(dir, 'audit', 'master.key');
  const ca = await FileCertificateAuthority.open(pkiDir);
  const fleetSize = Math.max(deviceCount, connectCount) + revocationCount;
  progress(`issuing ${fleetSize} device certificates (software P-256 keys, the device CA directly)`);
  const issueStarted = performance.now();
  const fleet = await issueFleet(ca, fleetSize);
  const issueSeconds = (performance.now() - issueStarted) / 1000;
  await registerFleet(owner, fleet, demoTenants.acme.id, demoSites.north.id);
  const connectFleet = fleet.slice(0, Math.max(deviceCount, connectCount));
  const revocationFleet = fleet.slice(fleetSize - revocationCount);

  progress('starting Mosquitto, the API process (serve.js), the baseline consumer and the load generator');
  const broker = await startBenchMosquitto({
    dir: path.join(dir, 'mosquitto'),
    port: await freePort(),
    trustPem: ca.chainPem,
    server: await ca.issueTlsCredentials({
      commonName: 'localhost',
      usage: 'server',
      hostnames: ['localhost', '127.0.0.1'],
    }),
  });
  cleanups.push(() => broker.stop());

  const backendCredentials = await ca.issueTlsCredentials({ commonName: 'custos-backend', usage: 'client' });
  const backendRss = rssSampler(() => backend?.pid);
  cleanups.push(async () => backendRss.stop());
  const brokerRss = rssSampler(() => broker.pid);
  cleanups.push(async () => brokerRss.stop());

  // ── the API as production runs it: its own process, the app role, ack after commit ──
  // Only one consumer is subscribed at a time, so that each step's messages go to one of them:
  // the API is started for each Custos step and stopped after it, and its persistent session is
  // then ended (else the broker would queue the baseline's steps for it).
  const apiPort = await freePort();
  const backendClientId = `custos-backend-bench-${process.pid}`;
  let backend: ChildProcess | undefined;
  let backendLog = '';
  const backendStartSeconds: number[] = [];
  async function startBackend(): Promise<void> {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=16', path.join(root, 'backend/dist/launcher/serve.js')],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: appUrl,
          OIDC_ISSUER: idp.issuer,
          OIDC_JWKS_URI: idp.jwksUri,
          DEV_IDP_ENABLED: 'false',
          SEED_DEMO: 'false',
          API_HOST: '127.0.0.1',
          API_PORT: String(apiPort),
          LOG_LEVEL: 'warn',
          PKI_DIR: pkiDir,
          AUDIT_MASTER_KEY_FILE: masterKeyFile,
          MQTT_URL: broker.url,
          MQTT_EMBEDDED_BROKER: 'false',
          MQTT_PROTOCOL_VERSION: '5',
          MQTT_CLIENT_ID: backendClientId,
          TELEMETRY_BATCH_SIZE: String(batchSize),
          TELEMETRY_BATCH_WAIT_MS: String(batchWaitMs),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    backend = child;
    children.add(child);
    backendLog = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        backendLog = (backendLog + chunk.toString()).slice(-4000);
        if (backendLog.includes('API listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve.js exited (${code}):\n${backendLog}`)));
    });
    backendStartSeconds.push(Number(((performance.now() - started) / 1000).toFixed(1)));
  }
  /** SIGTERM, as an orchestrator stops an instance; then ends its session unless asked to keep it. */
  async function stopBackend(keepSession = false): Promise<void> {
    const child = backend;
    backend = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    children.delete(child);
    if (keepSession) return;
    // End the API's persistent session: connect with its client id and a clean start, leave.
    const session = await mqtt.connectAsync(broker.url, {
      ca: ca.chainPem,
      cert: backendCredentials.chainPem,
      key: backendCredentials.privateKeyPem,
      servername: 'localhost',
      clientId: backendClientId,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: 0 },
    });
    await session.endAsync();
  }
  cleanups.push(() => stopBackend());
  const metrics = async () => {
    const text = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    const value = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? 0);
    return {
      inserted: value(/^custos_telemetry_messages_total\{outcome="inserted"\} (\S+)/m),
      duplicate: value(/^custos_telemetry_messages_total\{outcome="duplicate"\} (\S+)/m),
      rejected: value(/^custos_telemetry_messages_total\{outcome="rejected"\} (\S+)/m),
      commitFailures: value(/^custos_telemetry_commit_failures_total (\S+)/m),
      batchSecondsSum: value(/^custos_telemetry_batch_seconds_sum (\S+)/m),
      batches: value(/^custos_telemetry_batch_seconds_count (\S+)/m),
    };
  };

  /** Batches, their average size and average time (lookup, parse, insert, commit), from the API's counters. */
  const batchFigures = (m: Record<string, number>) => {
    const count = m.batches ?? 0;
    const messages = (m.inserted ?? 0) + (m.duplicate ?? 0) + (m.rejected ?? 0);
    return {
      count,
      averageSize: count ? Math.round(messages / count) : 0,
      averageMs: count ? Number((((m.batchSecondsSum ?? 0) / count) * 1000).toFixed(1)) : 0,
    };
  };

  // ── the baseline consumer ──
  const baseline = new Child(path.join(root, 'tests/bench/ingest/baseline-consumer.ts'), 'baseline consumer');
  children.add(baseline.proc);
  await baseline.next('ready');
  const baselineSettings = {
    url: broker.url,
    trustPem: ca.chainPem,
    cert: backendCredentials.chainPem,
    key: backendCredentials.privateKeyPem,
    databaseUrl: appUrl,
    filter: '$share/custos-bench-baseline/devices/+/telemetry',
    batchSize,
    batchWaitMs,
    receiveMaximum: RECEIVE_MAXIMUM,
  };
  const baselineStats = () => baseline.request<BaselineStats>({ type: 'stats' }, 'stats');

  // ── the devices ──
  const generator = new Child(path.join(root, 'tests/bench/ingest/load-generator.ts'), 'load generator');
  children.add(generator.proc);
  cleanups.push(async () => {
    for (const child of children) if (child !== backend && child.exitCode === null) child.kill('SIGKILL');
  });
  await generator.next('ready');

  const cpuSources = {
    mosquitto: () => cpuSeconds(broker.pid),
    backend: async () => (backend?.pid ? cpuSeconds(backend.pid) : null),
    postgres: () => postgresCpuSeconds(dataDir),
    baseline: () => cpuSeconds(baseline.pid),
    generator: () => cpuSeconds(generator.pid),
    bench: async () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1e6;
    },
  };

  // ── 3: connecting the fleet ──
  progress(`connecting ${connectFleet.length} devices over mTLS, ${connectConcurrency} handshakes at a time`);
  const connectCpu = await cpuMeter(cpuSources);
  const connected = await generator.request<ConnectResult>(
    {
      type: 'connect',
      url: broker.url,
      trustPem: ca.chainPem,
      identities: connectFleet.map((d) => ({ id: d.id, chainPem: d.chainPem, keyPem: d.keyPem })),
      concurrency: connectConcurrency,
      protocolVersion: 5,
    },
    'connected',
  );
  const connection = {
    ...connected,
    perSecond: Math.round(connected.connected / connected.seconds),
    cores: await connectCpu(),
  };
  progress(
    `connected ${connected.connected} (failed ${connected.failed}) in ${connected.seconds.toFixed(1)} s: ${connection.perSecond}/s`,
  );
  if (connected.connected < deviceCount) {
    throw new Error(
      `only ${connected.connected} of ${deviceCount} devices connected: ${connected.firstError}`,
    );
  }
  await generator.request({ type: 'keep', count: deviceCount }, 'kept');
  const ingestFleet = connectFleet.slice(0, deviceCount);

  let phase = 0;
  const nextSeqBase = () => ++phase * SEQ_SPAN;

  type Target = 'custos' | 'baseline';
  interface Step {
    target: Target;
    label: string;
    rate: number;
    seqFrom: number;
    seqTo: number;
    run: RunResult;
    offeredPerSecond: number;
    drainedAfterSeconds: number | null;
    probes: { sent: number; found: number; latenciesMs: number[] };
    cores: Record<string, number | null>;
    metricsDelta?: Record<string, number>;
    baselineFailures?: number;
    backendRssMb?: number | null;
  }
  const steps: Step[] = [];

  const committedSoFar = async (target: Target) =>
    target === 'custos' ? (await metrics()).inserted : (await baselineStats()).committed;

  async function step(target: Target, rate: number, duration: number, label: string): Promise<Step> {
    const seqFrom = nextSeqBase();
    const before = await committedSoFar(target);
    const metricsBefore = target === 'custos' ? await metrics() : undefined;
    const baselineBefore = target === 'baseline' ? await baselineStats() : undefined;

    // Latency probes (Custos): polled by primary key until their row is visible.
    const outstanding: Array<{ device: string; seq: number; ts: number }> = [];
    const latenciesMs: number[] = [];
    let probesSent = 0;
    generator.onProbes = (batch) => {
      probesSent += batch.items.length;
      if (target !== 'custos') return;
      for (const [index, seq, ts] of batch.items) {
        outstanding.push({ device: (ingestFleet[index] as BenchDevice).id, seq, ts });
      }
    };
    let polling = target === 'custos';
    const poller = (async () => {
      const client = new pg.Client({ connectionString: ownerUrl });
      client.on('error', () => undefined);
      await client.connect();
      try {
        for (;;) {
          const last = !polling; // one more poll after the drain, then what is missing stays missing
          if (outstanding.length > 0) {
            const batch = outstanding.slice(0, 5000);
            const polledAt = Date.now();
            const { rows } = await client.query(
              `SELECT t.device_id::text AS device, t.seq::float8 AS seq FROM telemetry t
               JOIN unnest($1::uuid[], $2::timestamptz[], $3::int8[]) AS p(device_id, measured_at, seq)
                 ON t.device_id = p.device_id AND t.measured_at = p.measured_at AND t.seq = p.seq
               WHERE t.measured_at >= $4::timestamptz AND t.measured_at <= $5::timestamptz`,
              [
                batch.map((p) => p.device),
                batch.map((p) => new Date(p.ts).toISOString()),
                batch.map((p) => p.seq),
                new Date(Math.min(...batch.map((p) => p.ts))).toISOString(),
                new Date(Math.max(...batch.map((p) => p.ts))).toISOString(),
              ],
            );
            const found = new Set(rows.map((r) => `${r.device}|${r.seq}`));
            for (let i = outstanding.length - 1; i >= 0; i--) {
              const probe = outstanding[i] as (typeof outstanding)[number];
              if (found.has(`${probe.device}|${probe.seq}`)) {
                latenciesMs.push(polledAt - probe.ts);
                outstanding.splice(i, 1);
              }
            }
          }
          if (last) break;
          await sleep(POLL_MS);
        }
      } finally {
        await client.end();
      }
    })();

    const meter = await cpuMeter(cpuSources);
    const run = await generator.request<RunResult>(
      { type: 'run', rate, seconds: duration, topic: 'telemetry', seqBase: seqFrom, probeEvery },
      'ran',
    );
    const cores = await meter();
    const windowEnd = run.startedAt + run.seconds * 1000;
    let drainedAfterSeconds: number | null = null;
    const drainBy = Date.now() + drainSeconds * 1000;
    while (Date.now() < drainBy) {
      if ((await committedSoFar(target)) - before >= run.acked) {
        drainedAfterSeconds = Math.max(0, (Date.now() - windowEnd) / 1000);
        break;
      }
      await sleep(50);
    }
    polling = false;
    await poller;
    generator.onProbes = undefined;
    const result: Step = {
      target,
      label,
      rate,
      seqFrom,
      seqTo: seqFrom + SEQ_SPAN,
      run,
      offeredPerSecond: Math.round(run.published / run.seconds),
      drainedAfterSeconds,
      probes: { sent: probesSent, found: latenciesMs.length, latenciesMs: latenciesMs.sort((a, b) => a - b) },
      cores,
    };
    if (metricsBefore) {
      const after = await metrics();
      result.metricsDelta = Object.fromEntries(
        Object.entries(after).map(([k, v]) => [
          k,
          Math.round((v - (metricsBefore as Record<string, number>)[k]) * 1000) / 1000,
        ]),
      );
    }
    if (baselineBefore) result.baselineFailures = (await baselineStats()).failures - baselineBefore.failures;
    if (target === 'custos' && backend?.pid) result.backendRssMb = await rssMb(backend.pid);
    const p = result.probes.latenciesMs;
    progress(
      `${label}: offered ${fmt(result.offeredPerSecond)}/s (skipped ${run.skipped}), acked ${run.acked}, ` +
        `drained ${drainedAfterSeconds === null ? 'NOT within the limit' : `${drainedAfterSeconds.toFixed(1)} s`} after the window` +
        (target === 'custos'
          ? `, probes p50 ${fmt(percentile(p, 0.5))} / p99 ${fmt(percentile(p, 0.99))} ms`
          : '') +
        `; cores ${JSON.stringify(cores)}`,
    );
    return result;
  }

  /**
   * The API subscribes on its own once connected: a trickle until its first row is stored (messages
   * sent before the subscription exists are rightly dropped by the broker).
   */
  async function backendSubscribed(): Promise<void> {
    const by = Date.now() + 30_000;
    await generator.request({ type: 'trickle', topic: 'telemetry', seqBase: nextSeqBase() }, 'trickling');
    while ((await metrics()).inserted === 0) {
      if (Date.now() > by) throw new Error(`the API never stored telemetry:\n${backendLog}`);
      await sleep(100);
    }
    await generator.request({ type: 'stopTrickle' }, 'trickled');
  }

  /** One consumer subscribed, warmed up at the rate, measured, then unsubscribed. */
  async function measure(target: Target, rate: number): Promise<void> {
    if (target === 'custos') {
      await startBackend();
      await backendSubscribed();
    } else {
      await baseline.request({ type: 'subscribe', persistent: false, ...baselineSettings }, 'subscribed');
    }
    if (warmupSeconds > 0)
      steps.push(await step(target, rate, warmupSeconds, `warm-up ${target} ${fmt(rate)}/s`));
    steps.push(await step(target, rate, seconds, `${target} ${fmt(rate)}/s`));
    if (target === 'custos') await stopBackend();
    else await baseline.request({ type: 'unsubscribe', endSession: false }, 'unsubscribed');
  }

  // ── 1 and 2: ingest, Custos and baseline alternating at each rate ──
  for (const rate of rates) {
    progress(`Custos at ${fmt(rate)}/s (API started, ${warmupSeconds} s warm-up, ${seconds} s measured)`);
    await measure('custos', rate);
    progress(`baseline at ${fmt(rate)}/s`);
    await measure('baseline', rate);
  }
  // ── capacity: a backlog queued in the consumer's persistent session, drained with no device publishing ──
  interface Drain {
    target: Target;
    seqFrom: number;
    seqTo: number;
    fill: RunResult;
    /** From the consumer's start (process or connection) until the last message was committed, s. */
    seconds: number | null;
    cores: Record<string, number | null>;
    /** The API's ingest counters at the end of the drain (Custos). */
    metrics?: Awaited<ReturnType<typeof metrics>>;
  }
  const drains: Drain[] = [];
  const backendRssPacedPeak = backendRss.restart();
  async function drainBacklog(target: Target): Promise<Drain> {
    // The session and its subscription must exist while the consumer is away.
    if (target === 'custos') {
      await startBackend();
      await backendSubscribed();
      await stopBackend(true);
    } else {
      await baseline.request({ type: 'subscribe', persistent: true, ...baselineSettings }, 'subscribed');
      await baseline.request({ type: 'unsubscribe', endSession: false }, 'unsubscribed');
    }
    const seqFrom = nextSeqBase();
    // As fast as the generator can (it catches up rather than skipping).
    const fillRate = Math.max(50_000, ...rates);
    const fill = await generator.request<RunResult>(
      {
        type: 'run',
        rate: fillRate,
        seconds: backlog / fillRate,
        topic: 'telemetry',
        seqBase: seqFrom,
        probeEvery: Number.MAX_SAFE_INTEGER,
        catchUp: true,
      },
      'ran',
    );
    progress(
      `${target}: ${fill.acked} messages queued in its session in ${fill.seconds.toFixed(1)} s; draining`,
    );
    const started = Date.now();
    const before = target === 'custos' ? 0 : (await baselineStats()).committed;
    if (target === 'custos') await startBackend();
    else await baseline.request({ type: 'subscribe', persistent: true, ...baselineSettings }, 'subscribed');
    // From the API's "listening" line (or the baseline's SUBACK): its start-up is not counted.
    const meter = await cpuMeter(cpuSources);
    let seconds: number | null = null;
    const by = Date.now() + drainSeconds * 1000;
    while (Date.now() < by) {
      if ((await committedSoFar(target)) - before >= fill.acked) {
        seconds = (Date.now() - started) / 1000;
        break;
      }
      await sleep(50);
    }
    const cores = await meter();
    const ingest = target === 'custos' ? await metrics() : undefined;
    if (target === 'custos') await stopBackend();
    else await baseline.request({ type: 'unsubscribe', endSession: true }, 'unsubscribed');
    progress(
      `${target}: backlog ${seconds === null ? 'NOT drained in time' : `drained ${seconds.toFixed(1)} s after the start`}; cores ${JSON.stringify(cores)}`,
    );
    return { target, seqFrom, seqTo: seqFrom + SEQ_SPAN, fill, seconds, cores, metrics: ingest };
  }
  if (backlog > 0) {
    for (const target of ['custos', 'baseline'] as const) {
      progress(
        `capacity: ${fmt(backlog)} messages queued for the ${target} consumer while it is away, then drained`,
      );
      drains.push(await drainBacklog(target));
    }
  }

  const backendRssDrainPeak = backendRss.peak();
  const backendRssLast = steps.filter((x) => x.target === 'custos').at(-1)?.backendRssMb ?? null;
  const brokerRssPeak = brokerRss.peak();

  progress('stopping the devices, the baseline consumer and the broker');
  await generator.request({ type: 'close' }, 'closed');
  await baseline.request({ type: 'stop' }, 'stopped');
  await broker.stop();

  // ── what the database holds: stored rows, committed/s in the window, latency from the rows ──
  progress('counting what was stored');
  interface Stored {
    stored: number;
    inWindow: number;
    p50: number | null;
    p99: number | null;
    max: number | null;
  }
  const storedOf = async (s: Step): Promise<Stored> => {
    const source =
      s.target === 'custos'
        ? `SELECT received_at, measured_at AS ts FROM telemetry WHERE seq > $1 AND seq < $2`
        : `SELECT received_at, (payload->>'ts')::timestamptz AS ts FROM bench_baseline_telemetry
           WHERE (payload->>'seq')::bigint > $1 AND (payload->>'seq')::bigint < $2`;
    const { rows } = await owner.query(
      `SELECT count(*)::int AS stored,
              count(*) FILTER (WHERE received_at >= to_timestamp($3::float8 / 1000)
                                 AND received_at < to_timestamp($4::float8 / 1000))::int AS "inWindow",
              percentile_disc(0.5) WITHIN GROUP (ORDER BY lat) AS p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY lat) AS p99,
              max(lat) AS max
       FROM (SELECT received_at, extract(epoch FROM received_at - ts)::float8 * 1000 AS lat FROM (${source}) r) l`,
      [s.seqFrom, s.seqTo, s.run.startedAt, s.run.startedAt + s.run.seconds * 1000],
    );
    return rows[0] as Stored;
  };
  const summarise = (s: Step, stored: Stored) => {
    const p = s.probes.latenciesMs;
    return {
      target: s.target,
      label: s.label,
      warmUp: s.label.startsWith('warm-up'),
      targetRate: s.rate,
      offeredPerSecond: s.offeredPerSecond,
      committedPerSecond: Math.round(stored.inWindow / s.run.seconds),
      published: s.run.published,
      acked: s.run.acked,
      refused: s.run.refused,
      publishErrors: s.run.errors,
      skipped: s.run.skipped,
      deviceDisconnects: s.run.disconnects,
      stored: stored.stored,
      loss: s.run.acked - stored.stored,
      drainedAfterSeconds: s.drainedAfterSeconds,
      ackTailSeconds: Number(s.run.ackTailSeconds.toFixed(2)),
      probeLatencyMs:
        s.target === 'custos'
          ? {
              probes: s.probes.sent,
              found: s.probes.found,
              p50: Math.round(percentile(p, 0.5)),
              p99: Math.round(percentile(p, 0.99)),
              max: Math.round(p.at(-1) ?? Number.NaN),
            }
          : null,
      rowLatencyMs: {
        p50: stored.p50 === null ? null : Math.round(stored.p50),
        p99: stored.p99 === null ? null : Math.round(stored.p99),
        max: stored.max === null ? null : Math.round(stored.max),
      },
      cores: s.cores,
      metricsDelta: s.metricsDelta ?? null,
      batches: s.metricsDelta ? batchFigures(s.metricsDelta) : null,
      baselineCommitFailures: s.baselineFailures ?? null,
      backendRssMb: s.backendRssMb ?? null,
    };
  };
  const measured: Array<ReturnType<typeof summarise>> = [];
  for (const s of steps) measured.push(summarise(s, await storedOf(s)));
  const drainResults: Array<{
    target: Target;
    queued: number;
    fillSeconds: number;
    stored: number;
    loss: number;
    committedPerSecond: number | null;
    firstToLastCommitSeconds: number | null;
    drainedAfterStartSeconds: number | null;
    cores: Record<string, number | null>;
    batches: ReturnType<typeof batchFigures> | null;
  }> = [];
  for (const d of drains) {
    const source =
      d.target === 'custos'
        ? `SELECT received_at FROM telemetry WHERE seq > $1 AND seq < $2`
        : `SELECT received_at FROM bench_baseline_telemetry WHERE (payload->>'seq')::bigint > $1 AND (payload->>'seq')::bigint < $2`;
    // Rows whose batch began before the last batch began were all committed within the span.
    const { rows } = await owner.query(
      `SELECT count(*)::int AS stored,
              count(*) FILTER (WHERE received_at < (SELECT max(received_at) FROM (${source}) m))::int AS "beforeLast",
              extract(epoch FROM max(received_at) - min(received_at))::float8 AS span
       FROM (${source}) r`,
      [d.seqFrom, d.seqTo],
    );
    const row = rows[0] as { stored: number; beforeLast: number; span: number | null };
    drainResults.push({
      target: d.target,
      queued: d.fill.acked,
      fillSeconds: Number(d.fill.seconds.toFixed(1)),
      stored: row.stored,
      loss: d.fill.acked - row.stored,
      committedPerSecond: row.span ? Math.round(row.beforeLast / row.span) : null,
      firstToLastCommitSeconds: row.span === null ? null : Number(row.span.toFixed(1)),
      drainedAfterStartSeconds: d.seconds === null ? null : Number(d.seconds.toFixed(1)),
      cores: d.cores,
      batches: d.metrics ? batchFigures(d.metrics) : null,
    });
  }
  const telemetryBytes = (
    await owner.query(`SELECT avg(pg_column_size(metrics))::int AS metrics_bytes FROM telemetry`)
  ).rows[0] as { metrics_bytes: number };

  // ── 4: revocation on the embedded broker, the API in this process ──
  // The platform as npm start runs it, for the two measurements below: one worker each.
  const platform = {
    appDatabaseUrl: appUrl,
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    tokenEndpoint: idp.tokenEndpoint,
    pkiDir,
    masterKeyFile,
  };
  /** Runs one command in a fresh worker; its result, or why there is none. */
  const inWorker = async <T>(
    file: string,
    name: string,
    command: object,
    answer: string,
  ): Promise<T | { error: string }> => {
    const worker = new Child(path.join(root, 'tests/bench/ingest', file), name);
    children.add(worker.proc);
    try {
      await worker.next('ready');
      return (await worker.request<{ result: T }>(command, answer)).result;
    } catch (error) {
      return { error: String((error as Error)?.message ?? error) };
    } finally {
      worker.proc.kill('SIGKILL');
    }
  };

  let revocation: RevocationResult | { error: string };
  if (revocationCount > 0) {
    progress(
      `revoking ${revocationCount} connected devices through the API (embedded broker and API in one process)`,
    );
    revocation = await inWorker<RevocationResult>(
      'revocation.ts',
      'revocation',
      { type: 'revoke', devices: revocationFleet, ...platform } satisfies RevocationCommand,
      'revoked',
    );
  } else revocation = { error: 'BENCH_REVOCATIONS=0' };

  // ── 5: WebSocket fan-out to live viewers, embedded broker and API in one process ──
  let fanOut: FanOutResult | { error: string };
  if (fanOutViewers > 0) {
    progress(`fan-out: ${fanOutViewers} live-channel viewers watching one device, ${fanOutMessages} points`);
    fanOut = await inWorker<FanOutResult>(
      'live-fan-out.ts',
      'fan-out',
      {
        type: 'fan-out',
        device: connectFleet[0] as BenchDevice,
        viewers: fanOutViewers,
        messages: fanOutMessages,
        ratePerSecond: fanOutRate,
        ...platform,
      } satisfies FanOutCommand,
      'measured',
    );
  } else fanOut = { error: 'BENCH_FANOUT_VIEWERS=0' };
  const fan = 'error' in fanOut ? null : fanOut;

  // ── the verdicts ──
  const reported = measured.filter((m) => !m.warmUp);
  const custosSteps = reported.filter((m) => m.target === 'custos');
  const baselineSteps = reported.filter((m) => m.target === 'baseline');
  const sustained = (m: (typeof measured)[number]) =>
    m.committedPerSecond >= 0.95 * m.offeredPerSecond &&
    (m.probeLatencyMs ? m.probeLatencyMs.p99 < 1000 : true) &&
    m.loss === 0 &&
    m.drainedAfterSeconds !== null;
  const bestSustained = custosSteps
    .filter(sustained)
    .sort((a, b) => b.committedPerSecond - a.committedPerSecond)[0];
  const bestCustos = [...custosSteps].sort((a, b) => b.committedPerSecond - a.committedPerSecond)[0];
  const bestBaseline = [...baselineSteps].sort((a, b) => b.committedPerSecond - a.committedPerSecond)[0];
  const headline = bestSustained ?? bestCustos;
  const totalLoss = measured.reduce((n, m) => n + Math.max(0, m.loss), 0);
  const custosLoss =
    measured.filter((m) => m.target === 'custos').reduce((n, m) => n + Math.max(0, m.loss), 0) +
    drainResults.filter((d) => d.target === 'custos').reduce((n, d) => n + Math.max(0, d.loss), 0);
  const custosDrain = drainResults.find((d) => d.target === 'custos');
  const baselineDrain = drainResults.find((d) => d.target === 'baseline');
  const askedMax = Math.max(...reported.map((m) => m.targetRate));
  const offeredMax = (target: Target) =>
    Math.max(...reported.filter((m) => m.target === target).map((m) => m.offeredPerSecond));
  const custosOffered = offeredMax('custos');

  const targets = {
    committedAtLeast15kPerSecond: (bestSustained?.committedPerSecond ?? 0) >= 15_000,
    committedStretch25kPerSecond: (bestSustained?.committedPerSecond ?? 0) >= 25_000,
    p99Under1sAtThatRate: headline?.probeLatencyMs ? headline.probeLatencyMs.p99 < 1000 : false,
    zeroLoss: custosLoss === 0,
  };
  const stretchNote = targets.committedStretch25kPerSecond
    ? ' (stretch too)'
    : custosOffered < 0.95 * 25_000
      ? ` (stretch not shown: at most ${fmt(custosOffered)}/s offered)`
      : ' (stretch not met)';
  const verdict = (ok: boolean | null) => (ok === null ? '-' : ok ? 'pass' : 'FAIL');
  const rev = 'error' in revocation ? null : revocation;
  const table: Array<{ measurement: string; measured: string; target: string; result: string }> = [
    {
      measurement: `Custos ingest, committed msg/s (best sustained step${headline ? `: ${fmt(headline.offeredPerSecond)}/s offered` : ''})`,
      measured: bestSustained
        ? fmt(bestSustained.committedPerSecond)
        : `none sustained (best ${fmt(bestCustos?.committedPerSecond)})`,
      target: '≥ 15,000 (stretch 25,000)',
      result: targets.committedAtLeast15kPerSecond
        ? `pass${stretchNote}`
        : `FAIL${custosOffered < 15_000 ? ' (15,000/s never offered: generator-bound)' : ''}`,
    },
    {
      measurement: '  publish → commit p50 / p99 / max, ms (probes polled every 20 ms)',
      measured: headline?.probeLatencyMs
        ? `${fmt(headline.probeLatencyMs.p50)} / ${fmt(headline.probeLatencyMs.p99)} / ${fmt(headline.probeLatencyMs.max)}`
        : '-',
      target: 'p99 < 1,000',
      result: verdict(targets.p99Under1sAtThatRate),
    },
    {
      measurement: '  loss: PUBACKed − stored, every Custos step and backlog, after drain',
      measured: fmt(custosLoss),
      target: '0',
      result: verdict(targets.zeroLoss),
    },
  ];
  for (const m of reported) {
    const who = m.target === 'custos' ? 'Custos  ' : 'baseline';
    table.push({
      measurement: `  ${who} step ${fmt(m.targetRate)}/s: offered → committed/s`,
      measured: `${fmt(m.offeredPerSecond)} → ${fmt(m.committedPerSecond)}`,
      target: '',
      result: sustained(m) ? 'kept up' : 'fell behind',
    });
    table.push({
      measurement: `    latency p50 / p99 ms: ${m.probeLatencyMs ? 'probes (polled) | ' : ''}rows (received_at − ts)`,
      measured:
        (m.probeLatencyMs ? `${fmt(m.probeLatencyMs.p50)} / ${fmt(m.probeLatencyMs.p99)} | ` : '') +
        `${fmt(m.rowLatencyMs.p50)} / ${fmt(m.rowLatencyMs.p99)}`,
      target: '',
      result: `loss ${m.loss}, drained ${m.drainedAfterSeconds === null ? 'no' : `${m.drainedAfterSeconds.toFixed(1)} s`}`,
    });
  }
  table.push(
    {
      measurement: '  load generator: most offered during Custos / baseline steps, of most asked, msg/s',
      measured: `${fmt(custosOffered)} / ${fmt(offeredMax('baseline'))} of ${fmt(askedMax)}`,
      target: '',
      result: custosOffered < 0.95 * askedMax ? 'generator-bound' : '-',
    },
    {
      measurement: `Custos capacity: a ${fmt(custosDrain?.queued ?? backlog)}-message backlog drained, committed/s`,
      measured: custosDrain ? fmt(custosDrain.committedPerSecond) : 'not measured',
      target: '(≥ 15,000)',
      result: custosDrain
        ? `${(custosDrain.committedPerSecond ?? 0) >= 15_000 ? 'at or above' : 'below'}, loss ${custosDrain.loss}`
        : '-',
    },
    {
      measurement: '  baseline: the same backlog drained, committed/s',
      measured: baselineDrain ? fmt(baselineDrain.committedPerSecond) : 'not measured',
      target: '',
      result: baselineDrain ? `loss ${baselineDrain.loss}` : '-',
    },
    {
      measurement: '  Custos / baseline, backlog drain',
      measured:
        custosDrain?.committedPerSecond && baselineDrain?.committedPerSecond
          ? `${Math.round((custosDrain.committedPerSecond / baselineDrain.committedPerSecond) * 100)}%`
          : '-',
      target: '',
      result: '-',
    },
    {
      measurement: '  Custos / baseline, best committed/s of each (paced steps)',
      measured:
        bestCustos && bestBaseline
          ? `${Math.round((bestCustos.committedPerSecond / bestBaseline.committedPerSecond) * 100)}% (${fmt(bestCustos.committedPerSecond)} / ${fmt(bestBaseline.committedPerSecond)})`
          : '-',
      target: '',
      result: '-',
    },
    {
      measurement: '  API process RSS, MB: peak in paced steps / draining a backlog (after the last step)',
      measured: `${backendRssPacedPeak} / ${backendRssDrainPeak || '-'} (${backendRssLast ?? '-'})`,
      target: '',
      result: '-',
    },
    {
      measurement: `connect ${fmt(connectFleet.length)} devices (mTLS + CONNACK), s (connections/s)`,
      measured: `${connected.seconds.toFixed(1)} (${fmt(connection.perSecond)}/s)${connected.failed ? `, ${connected.failed} failed` : ''}`,
      target: '',
      result: '-',
    },
    {
      measurement: `revoke → device disconnected, median / max ms (${rev ? rev.revocations : revocationCount}, embedded broker)`,
      measured: rev
        ? `${fmt(percentile(rev.closeMs, 0.5))} / ${fmt(rev.closeMs.at(-1))}${rev.notClosed ? `, ${rev.notClosed} not closed` : ''}`
        : 'not measured',
      target: '',
      result: rev
        ? rev.notClosed === 0 && rev.reconnectRefused
          ? 'closed, reconnect refused'
          : 'FAIL'
        : '-',
    },
    {
      measurement: `WebSocket fan-out: publish → viewer p50 / p99 ms (${fan ? fan.viewers : fanOutViewers} viewers × ${fan ? fan.messages : fanOutMessages} points)`,
      measured: fan
        ? `${fmt(percentile(fan.latencyMs, 0.5))} / ${fmt(percentile(fan.latencyMs, 0.99))}${fan.missing ? `, ${fmt(fan.missing)} missing` : ''}`
        : 'not measured',
      target: 'p99 < 500',
      result: fan ? (percentile(fan.latencyMs, 0.99) < 500 && fan.missing === 0 ? 'pass' : 'FAIL') : '-',
    },
  );

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    node: process.version,
    postgres: serverInfo,
    note: 'shared 2-core VM: the broker, the API, PostgreSQL and the load generator share the two cores',
    loadAverageBefore: loadBefore.map((l) => Number(l.toFixed(2))),
    loadAverageAfter: loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.table(table);
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, PostgreSQL ${serverInfo.version} ` +
      `(fsync ${serverInfo.fsync}, synchronous_commit ${serverInfo.synchronous_commit}), Mosquitto 2.0; ` +
      `1-min load ${machine.loadAverageBefore[0]} before, ${machine.loadAverageAfter[0]} after`,
  );
  console.log(
    `fleet: ${deviceCount} devices, QoS 1, ${PAYLOAD_BYTES}-byte payloads, MQTT 5; certificates issued directly by the device CA ` +
      `(software P-256 keys, ${fleetSize} in ${issueSeconds.toFixed(1)} s), not through the emulated chip and the API`,
  );
  console.log('cores busy per process (1.0 = one core), per step:');
  for (const m of reported) console.log(`  ${m.label.padEnd(18)} ${JSON.stringify(m.cores)}`);
  console.log(`  connect            ${JSON.stringify(connection.cores)}`);
  for (const d of drainResults)
    console.log(`  ${`${d.target} backlog`.padEnd(18)} ${JSON.stringify(d.cores)}`);
  console.log('Custos batches (count, average size, average time from lookup to commit):');
  for (const [label, b] of [
    ...custosSteps.map((m) => [m.label, m.batches] as const),
    ...drainResults.filter((d) => d.target === 'custos').map((d) => ['custos backlog', d.batches] as const),
  ]) {
    if (b)
      console.log(`  ${label.padEnd(18)} ${b.count} batches of ${b.averageSize} messages, ${b.averageMs} ms`);
  }
  if ('error' in revocation) console.log(`revocation not measured: ${revocation.error}`);
  if ('error' in fanOut) console.log(`fan-out not measured: ${fanOut.error}`);

  await mkdir(path.join(root, 'bench-results'), { recursive: true });
  const report = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    machine,
    settings: {
      devices: deviceCount,
      rates,
      seconds,
      warmupSeconds,
      drainSeconds,
      probeEvery,
      pollMs: POLL_MS,
      connectDevices: connectFleet.length,
      connectConcurrency,
      revocations: revocationCount,
      backlog,
      batchSize,
      batchWaitMs,
      receiveMaximum: RECEIVE_MAXIMUM,
      payloadBytes: PAYLOAD_BYTES,
      protocolVersion: 5,
      qos: 1,
    },
    fleet: {
      provisioning:
        'software P-256 keys; certificates issued directly by FileCertificateAuthority; rows written as the DB owner',
      devices: fleetSize,
      issueSeconds: Number(issueSeconds.toFixed(1)),
      deviceClient:
        'plain MQTT.js 5 clients (not the firmware DeviceAgent), one per device, in one child process',
    },
    baselineConsumer:
      'MQTT.js 5 subscriber as custos-backend on $share/custos-bench-baseline/devices/+/state; same batching, Receive Maximum and ack-after-commit; multi-row INSERT … SELECT unnest (pg-copy-streams not installed)',
    steps: measured,
    lossAllSteps: totalLoss,
    backlogDrains: drainResults,
    connection,
    revocation: rev
      ? {
          ...rev,
          closeMedianMs: Math.round(percentile(rev.closeMs, 0.5)),
          closeMaxMs: Math.round(rev.closeMs.at(-1) ?? Number.NaN),
          responseMedianMs: Math.round(percentile(rev.responseMs, 0.5)),
          closeMs: rev.closeMs.map(Math.round),
          responseMs: rev.responseMs.map(Math.round),
        }
      : revocation,
    websocketFanOut: fan
      ? {
          viewers: fan.viewers,
          messages: fan.messages,
          ratePerSecond: fanOutRate,
          deliveries: fan.latencyMs.length,
          missing: fan.missing,
          p50Ms: Math.round(percentile(fan.latencyMs, 0.5)),
          p99Ms: Math.round(percentile(fan.latencyMs, 0.99)),
          maxMs: Math.round(fan.latencyMs.at(-1) ?? Number.NaN),
        }
      : fanOut,
    memory: {
      backendRssPeakPacedMb: backendRssPacedPeak,
      backendRssPeakDrainingMb: backendRssDrainPeak,
      backendRssAfterLastPacedStepMb: backendRssLast,
      mosquittoRssPeakMb: brokerRssPeak,
    },
    storedMetricsAverageBytes: telemetryBytes.metrics_bytes,
    targets,
    table,
    totalSeconds: Math.round((performance.now() - benchStarted) / 1000),
  };
  await writeFile(path.join(root, 'bench-results/ingest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`written: bench-results/ingest.json (total ${report.totalSeconds} s)`);
} catch (error) {
  // After Ctrl-C the run fails as its processes go away: that is not worth a stack trace.
  if (!interrupted) throw error;
} finally {
  await cleanUp();
}
