/**
 * `npm run bench:api`: throughput and latency of authenticated, policy-checked, database-backed
 * reads, against a bare Fastify + jose + pg baseline measured in the same run on the same data.
 * Prints a table and writes bench-results/api.json. Not a test: figures vary with the machine.
 *
 * The machine is shared and noisy, so Custos and the baseline are measured in alternating rounds
 * and each figure is the median over the rounds (the ratio compares medians of the same run).
 *
 * BENCH_SECONDS (default 10) per scenario and round; BENCH_ROUNDS (default 3); BENCH_CONNECTIONS (50).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const root = new URL('../../', import.meta.url).pathname;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function spawnAndWait(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes(ready)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function measure(url: string, token: string, warmUp: boolean): Promise<Measurement> {
  const run = (duration: number) =>
    autocannon({ url, connections, duration, headers: { authorization: `Bearer ${token}` } });
  if (warmUp) await run(2); // JIT, connection pools, JWKS cache
  const r = await run(seconds);
  return {
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/** Median of each figure over the rounds; failures are summed, never hidden. */
function summarise(scenario: string, runs: Measurement[]) {
  return {
    scenario,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    rounds: runs.map((r) => r.requestsPerSecond),
  };
}

const dir = await mkdtemp(path.join(tmpdir(), 'custos-bench-'));
const ports = {
  api: await freePort(),
  idp: await freePort(),
  pg: await freePort(),
  baseline: await freePort(),
};
const children: ChildProcess[] = [];
try {
  process.stderr.write('starting the Custos stack (embedded PostgreSQL, identity provider, API)…\n');
  children.push(
    await spawnAndWait(
      [path.join(root, 'backend/dist/launcher/start.js')],
      {
        API_PORT: String(ports.api),
        DEV_IDP_PORT: String(ports.idp),
        EMBEDDED_PG_PORT: String(ports.pg),
        EMBEDDED_PG_DATA_DIR: path.join(dir, 'pg'),
        DEV_IDP_KEYS_FILE: path.join(dir, 'jwks.json'),
        AUDIT_MASTER_KEY_FILE: path.join(dir, 'audit', 'master.key'),
        LOG_LEVEL: 'warn',
        DATABASE_URL: '', // always a fresh embedded server, so runs compare like with like
      },
      'API ready at',
    ),
  );
  const issuer = `http://localhost:${ports.idp}/realms/custos`;
  const databaseUrl = `postgres://postgres:custos-local@127.0.0.1:${ports.pg}/custos`;

  // A realistic registry: 20,000 more devices across Acme's sites, so lists filter a real table.
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`
    INSERT INTO devices (tenant_id, site_id, serial_number, model, lifecycle_state, labels)
    SELECT '0a1c0000-0000-4000-8000-000000000001',
           CASE WHEN i % 2 = 0 THEN '51e00000-0000-4000-8000-000000000001'::uuid ELSE '51e00000-0000-4000-8000-000000000002'::uuid END,
           'BENCH-' || lpad(i::text, 6, '0'), 'CX-Temp 2', CASE WHEN i % 5 = 0 THEN 'suspended' ELSE 'active' END,
           jsonb_build_object('rack', (i % 40)::text)
    FROM generate_series(1, 20000) AS i`);
  await db.query('ANALYZE devices');
  const { rows } = await db.query(`SELECT id FROM devices WHERE serial_number = 'ACME-N-0001'`);
  await db.end();
  const deviceId = rows[0].id as string;

  const tokenResponse = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'custos-cli',
      username: 'operator',
      password: 'custos-demo',
    }),
  });
  const token = ((await tokenResponse.json()) as { access_token: string }).access_token;

  children.push(
    await spawnAndWait(
      ['--no-warnings', path.join(root, 'tests/bench/baseline-server.ts')],
      {
        DATABASE_URL: databaseUrl,
        JWKS_URI: `${issuer}/protocol/openid-connect/certs`,
        ISSUER: issuer,
        PORT: String(ports.baseline),
      },
      'baseline ready',
    ),
  );
  const scenarios = [
    ['custos: GET /api/v1/devices/{id}', `http://127.0.0.1:${ports.api}/api/v1/devices/${deviceId}`],
    [
      'custos: GET /api/v1/devices?lifecycleState=active&limit=50',
      `http://127.0.0.1:${ports.api}/api/v1/devices?lifecycleState=active&limit=50`,
    ],
    ['baseline: fastify + jose + pg, same row', `http://127.0.0.1:${ports.baseline}/devices/${deviceId}`],
  ] as const;
  const runs: Measurement[][] = scenarios.map(() => []);
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`round ${round + 1} of ${rounds}…\n`);
    for (const [i, [, url]] of scenarios.entries()) runs[i]?.push(await measure(url, token, round === 0));
  }
  const results = scenarios.map(([name], i) => summarise(name, runs[i] ?? []));

  const single = results[0] as (typeof results)[number];
  const baseline = results[2] as (typeof results)[number];
  const ratio = single.requestsPerSecond / baseline.requestsPerSecond;
  const targets = {
    singleReadAtLeast4000ReqPerSecond: single.requestsPerSecond >= 4000,
    singleReadP99Under30Ms: single.p99Ms < 30,
    atLeast70PercentOfBaseline: ratio >= 0.7,
  };

  console.table(results);
  console.log(`custos single read / baseline: ${(ratio * 100).toFixed(0)}%`);
  console.log('targets met:', targets);
  await mkdir(path.join(root, 'bench-results'), { recursive: true });
  const report = {
    benchmark: 'api',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    settings: { seconds, connections, rounds },
    results,
    singleReadToBaselineRatio: Number(ratio.toFixed(3)),
    targets,
  };
  await writeFile(path.join(root, 'bench-results/api.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log('written: bench-results/api.json');
} finally {
  for (const child of children.reverse()) {
    child.kill('SIGINT');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await rm(dir, { recursive: true, force: true });
}
