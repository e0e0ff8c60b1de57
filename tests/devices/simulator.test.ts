/**
 * The fleet simulator (`npm run simulate`, firmware/src/simulator) against the whole local platform as
 * `npm start` runs it (embedded PostgreSQL, identity provider, API and the embedded mTLS broker, started
 * in-process on free ports): the CLI, run as a person runs it, provisions five devices through the factory
 * step, connects them and publishes at its rate; every acknowledged message ends up in the telemetry
 * table, and on exit the devices are decommissioned with their certificates revoked. Option parsing and
 * the pacing are unit-tested here too (the pacing on a fake clock).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type DatabasePool, sql } from 'slonik';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../backend/src/core/config/config.js';
import { createDatabasePool } from '../../backend/src/core/database/pool.js';
import { fetchPasswordToken } from '../../backend/src/dev-idp/identity-provider.js';
import { type RunningStack, startStack } from '../../backend/src/launcher/stack.js';
import { AgentError } from '../../firmware/src/agent/errors.js';
import { Atecc608a } from '../../firmware/src/atecc608a/driver.js';
import { Atecc608aEmulator } from '../../firmware/src/atecc608a/emulator.js';
import {
  FactoryError,
  PlatformApiError,
  PlatformClient,
  personaliseChip,
  provisionDevice,
} from '../../firmware/src/factory/index.js';
import { LoadGenerator } from '../../firmware/src/simulator/load.js';
import { DEFAULTS, OptionsError, parseOptions } from '../../firmware/src/simulator/options.js';
import { Pacer, tickIntervalMs } from '../../firmware/src/simulator/pacer.js';
import { PasswordGrantTokens } from '../../firmware/src/simulator/token.js';
import { freePort } from '../support/free-port.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'firmware/dist/simulator/cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as `npm run simulate` runs it: the firmware's build output under Node, output to a pipe. */
function simulate(args: string[], timeoutMs = 40_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: root,
      env: { ...process.env, IDP_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulate did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `npm test` builds first; a lone `vitest run` of this file may find the build older than the sources.
 * Rebuild only then: the firmware's swc build takes well under a second, but rewriting dist while another
 * test file's process loads it would race.
 */
async function ensureFirmwareBuild(): Promise<void> {
  const src = path.join(root, 'firmware/src');
  const stale = (readdirSync(src, { recursive: true }) as string[]).some((file) => {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) return false;
    const built = path.join(root, 'firmware/dist', file.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(path.join(src, file)).mtimeMs;
  });
  if (stale) await promisify(execFile)('npm', ['run', 'build', '-w', 'firmware'], { cwd: root });
}

describe('npm run simulate against the local platform', () => {
  let dir: string;
  let stack: RunningStack;
  let pool: DatabasePool;

  beforeAll(async () => {
    await ensureFirmwareBuild();
    dir = await mkdtemp(path.join(tmpdir(), 'custos-simulate-'));
    const [apiPort, idpPort, pgPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      API_PORT: String(apiPort),
      DEV_IDP_PORT: String(idpPort),
      EMBEDDED_PG_PORT: String(pgPort),
      EMBEDDED_PG_DATA_DIR: path.join(dir, 'pg'),
      // This file's stack is its own, whatever server DATABASE_URL names for the rest of the suite.
      DATABASE_URL: '',
      AUDIT_MASTER_KEY_FILE: path.join(dir, 'master.key'),
      PKI_DIR: path.join(dir, 'pki'),
      // Port 0: the embedded broker takes a free port and the stack reports it.
      MQTT_URL: 'mqtts://localhost:0',
      TELEMETRY_BATCH_WAIT_MS: '5',
    });
    stack = await startStack({ config, ephemeralDatabase: true });
    pool = await createDatabasePool({
      connectionUri: stack.databaseUrl,
      maxPoolSize: 2,
      statementTimeoutMs: 5_000,
    });
  }, 90_000);

  afterAll(async () => {
    await pool?.end();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('provisions 5 devices, publishes at its rate into the telemetry table, and decommissions them on exit', async () => {
    const run = await simulate([
      ...['--devices', '5', '--rate', '50', '--duration', '3'],
      ...['--api', stack.apiUrl, '--issuer', stack.config.OIDC_ISSUER, '--broker', stack.config.MQTT_URL],
    ]);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.code, output).toBe(0);
    expect(run.stdout).toContain('provisioned 5/5');
    expect(run.stdout).toContain('5/5 devices online');
    expect(run.stdout).toContain('decommissioned 5/5');
    expect(run.stderr, output).toBe('');

    const summary =
      /messages: (\d+) sent, (\d+) acknowledged, (\d+) dropped, (\d+) failed(?:, (\d+) skipped.*)? in ([\d.]+) s/.exec(
        run.stdout,
      );
    expect(summary, output).not.toBeNull();
    const [sent, acked, dropped, failed, skipped, seconds] = (summary as RegExpExecArray)
      .slice(1)
      .map((n) => Number(n ?? 0)) as [number, number, number, number, number, number];
    // 50 messages/s for as long as it ran (3 s, or a little more if the timer was late): the pacer counts
    // from the start, so late ticks catch up, and only a stall of over a second would skip any.
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(Math.abs(sent + skipped - 50 * seconds)).toBeLessThanOrEqual(5);
    expect({ acked, dropped, failed }).toEqual({ acked: sent, dropped: 0, failed: 0 });

    // The ingest commits in batches after the broker's PUBACK: wait until every acknowledged message is in.
    const rows = () =>
      pool.any(
        sql.type(z.object({ deviceId: z.string(), serialNumber: z.string(), rows: z.coerce.number() }))`
          SELECT d.id AS "deviceId", d.serial_number AS "serialNumber", count(t.*) AS rows
          FROM devices d JOIN telemetry t ON t.device_id = d.id
          WHERE d.serial_number LIKE 'SIM-%'
          GROUP BY d.id, d.serial_number`,
      );
    const until = Date.now() + 10_000;
    let perDevice = await rows();
    while (perDevice.reduce((n, d) => n + d.rows, 0) < acked && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      perDevice = await rows();
    }
    expect(perDevice).toHaveLength(5);
    expect(perDevice.reduce((n, d) => n + d.rows, 0)).toBe(acked);
    // Round robin: each device sent a fifth of the load.
    for (const device of perDevice) expect(device.rows).toBeGreaterThanOrEqual(Math.floor(acked / 5));
    for (const device of perDevice) expect(device.serialNumber).toMatch(/^SIM-[0-9a-f]{6}-[1-5]$/);

    const metrics = await pool.any(
      sql.type(z.object({ metrics: z.record(z.string(), z.number()) }))`
        SELECT metrics FROM telemetry WHERE device_id = ${perDevice[0]?.deviceId ?? ''} LIMIT 20`,
    );
    for (const { metrics: m } of metrics) {
      expect(Object.keys(m).sort()).toEqual(['battery', 'humidity', 'temperature']);
      expect(m.temperature).toBeGreaterThanOrEqual(-40);
      expect(m.temperature).toBeLessThanOrEqual(85);
    }

    const token = await fetchPasswordToken(
      `${stack.config.OIDC_ISSUER}/protocol/openid-connect/token`,
      'tenant-admin',
    );
    const get = async (url: string) => {
      const response = await fetch(`${stack.apiUrl}${url}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status, url).toBe(200);
      return (await response.json()) as any;
    };
    for (const { deviceId } of perDevice) {
      expect((await get(`/v1/devices/${deviceId}`)).lifecycleState).toBe('decommissioned');
      const certificates = (await get(`/v1/devices/${deviceId}/certificates`)).items;
      expect(certificates.map((c: { status: string }) => c.status)).toEqual(['revoked']);
    }
  }, 60_000);

  it('factory library: problem+json errors, a token renewed on 401, a half-provisioned device named', async () => {
    const tokens = new PasswordGrantTokens(stack.config.OIDC_ISSUER, 'tenant-admin', 'custos-demo');
    let renewals = 0;
    // The first token is one the API refuses (401): the client renews it once and retries.
    const client = new PlatformClient({
      baseUrl: stack.apiUrl,
      token: {
        token: async () => 'not-a-token',
        renew: async () => {
          renewals += 1;
          return tokens.token();
        },
      },
    });
    expect((await client.sites()).length).toBeGreaterThan(0);
    expect(renewals).toBe(1);

    const authorised = new PlatformClient({ baseUrl: stack.apiUrl, token: await tokens.token() });
    const serialNumber = `FACTORY-${randomBytes(3).toString('hex')}`;
    const fresh = new Atecc608a(new Atecc608aEmulator());
    const device = await provisionDevice(authorised, fresh, { serialNumber, model: 'CX-Temp 2' });
    expect(device.certificateChainPem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
    expect((await authorised.device(device.deviceId)).lifecycleState).toBe('provisioned');

    const conflict = await authorised
      .registerDevice({ serialNumber, model: 'CX-Temp 2' })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(PlatformApiError);
    expect(conflict).toMatchObject({ status: 409, code: 'conflict' });
    expect((conflict as Error).message).toMatch(/^POST \/v1\/devices failed with HTTP 409 conflict: /);
    const invalid = await authorised
      .registerDevice({ serialNumber: 'not a serial', model: 'CX-Temp 2' })
      .catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((invalid as Error).message).toContain('(body.serialNumber: ');

    // A chip that went through the factory before: registered, then refused before its key could change.
    const used = new Atecc608a(new Atecc608aEmulator());
    await personaliseChip(used);
    const incomplete = await provisionDevice(authorised, used, {
      serialNumber: `${serialNumber}-2`,
      model: 'CX-Temp 2',
    }).catch((error: unknown) => error);
    expect(incomplete).toBeInstanceOf(FactoryError);
    expect(incomplete).toMatchObject({ code: 'provisioning_incomplete', cause: { code: 'chip_not_blank' } });
    const leftOver = (incomplete as FactoryError).deviceId as string;
    expect((await authorised.device(leftOver)).lifecycleState).toBe('manufactured');
    for (const id of [device.deviceId, leftOver]) {
      expect((await authorised.decommission(id)).lifecycleState).toBe('decommissioned');
    }
  });

  it('keeps the access token until shortly before it expires (5 minutes here), then fetches a new one', async () => {
    let now = 0;
    const tokens = new PasswordGrantTokens(
      stack.config.OIDC_ISSUER,
      'tenant-admin',
      'custos-demo',
      () => now,
    );
    const first = await tokens.token();
    now += 269_000;
    expect(await tokens.token()).toBe(first);
    now += 2_000;
    const second = await tokens.token();
    expect(second).not.toBe(first);
    const [a, b] = await Promise.all([tokens.renew(), tokens.renew()]);
    expect(a).toBe(b);
  });

  it('exits 1 with the reason, before registering anything, when the identity provider refuses the sign-in', async () => {
    const run = await simulate([
      ...['--devices', '2', '--duration', '1', '--user', 'nobody'],
      ...['--api', stack.apiUrl, '--issuer', stack.config.OIDC_ISSUER, '--broker', stack.config.MQTT_URL],
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sign-in as "nobody" failed with HTTP 400 \(invalid_grant/);
    expect(run.stderr).not.toContain('custos-demo');
    expect(run.stdout).not.toContain('provisioned');
  });
});

describe('simulator options', () => {
  it('has the documented defaults', () => {
    expect(parseOptions([])).toEqual({
      kind: 'run',
      options: {
        devices: 10,
        rate: 10,
        apiUrl: DEFAULTS.api,
        issuer: DEFAULTS.issuer,
        brokerUrl: DEFAULTS.broker,
        user: 'tenant-admin',
        protocol: 4,
        siteId: undefined,
        durationSeconds: undefined,
        keep: false,
      },
    });
    expect(parseOptions(['--help'])).toEqual({ kind: 'help' });
    expect(parseOptions(['-h', '--devices', 'x'])).toEqual({ kind: 'help' });
  });

  it('reads every option, in both spellings', () => {
    const site = '0b4e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
    const parsed = parseOptions([
      '--devices=100',
      '--rate',
      '2.5',
      '--duration',
      '30',
      '--api',
      'https://api.example/api/',
      '--issuer=http://idp:8080/realms/custos',
      '--broker',
      'mqtts://broker:8883',
      '--user',
      'operator',
      '--protocol',
      '5',
      '--site',
      site.toUpperCase(),
      '--keep',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        devices: 100,
        rate: 2.5,
        durationSeconds: 30,
        apiUrl: 'https://api.example/api',
        issuer: 'http://idp:8080/realms/custos',
        brokerUrl: 'mqtts://broker:8883',
        user: 'operator',
        protocol: 5,
        siteId: site,
        keep: true,
      },
    });
  });

  it.each([
    [['--devices', '0'], '--devices must be a whole number from 1 to 10000, got "0"'],
    [['--devices', '2.5'], '--devices must be a whole number from 1 to 10000, got "2.5"'],
    [['--devices', '10001'], '--devices must be a whole number from 1 to 10000'],
    [['--devices', ''], '--devices must be a number, got ""'],
    [['--devices', '1e3'], '--devices must be a number, got "1e3"'],
    [['--rate', '0'], '--rate must be above 0'],
    [['--rate', 'fast'], '--rate must be a number, got "fast"'],
    [['--rate', '-5'], "Option '--rate' argument is ambiguous"],
    [['--rate'], "Option '--rate <value>' argument missing"],
    [['--duration', '0'], '--duration must be above 0'],
    [['--api', 'localhost:4000'], '--api must be a http:// or https:// URL'],
    [['--issuer', 'not a url'], '--issuer must be a URL, got "not a url"'],
    [['--broker', 'mqtt://localhost:1883'], '--broker must be a mqtts:// URL'],
    [['--protocol', '3'], '--protocol must be 4 (MQTT 3.1.1) or 5, got "3"'],
    [['--user', ' '], '--user must not be empty'],
    [['--site', 'north'], '--site must be a site id (a UUID), got "north"'],
    [['--devcies', '5'], "Unknown option '--devcies'"],
    [['5'], "Unexpected argument '5'"],
  ])('refuses %j with a message', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(OptionsError);
    expect(() => parseOptions(argv)).toThrow(message);
  });

  it('makes the CLI exit 2 with the message, before touching the platform', async () => {
    await ensureFirmwareBuild();
    const run = await simulate(['--rate', 'fast', '--api', 'http://127.0.0.1:9/api']);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'simulate: --rate must be a number, got "fast"\nRun with --help to see the options.\n',
    });
    const help = await simulate(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--devices N');
  });
});

describe('pacing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands out messages from the time elapsed, so late ticks catch up and the rate does not drift', () => {
    const pacer = new Pacer(10, 1_000);
    expect(pacer.take(1_099)).toBe(0);
    expect(pacer.take(1_100)).toBe(1);
    expect(pacer.take(1_150)).toBe(0);
    expect(pacer.take(1_450)).toBe(3); // a late tick: 4 due by now, 1 taken
    expect(pacer.take(2_000)).toBe(6);
    expect(pacer.take(61_000)).toBe(10); // a minute late: at most one second's worth at once
    expect(pacer.skipped).toBe(580);
    expect(pacer.take(61_100)).toBe(1); // and the rate goes on from there
  });

  it('handles rates below one a second', () => {
    const pacer = new Pacer(0.5, 0);
    expect(pacer.take(1_999)).toBe(0);
    expect(pacer.take(2_000)).toBe(1);
    expect(pacer.take(3_999)).toBe(0);
    expect(pacer.take(4_000)).toBe(1);
  });

  it('ticks every 5 to 100 ms', () => {
    expect([0.5, 10, 50, 1000, 100_000].map(tickIntervalMs)).toEqual([100, 100, 20, 5, 5]);
  });

  it('sends the fleet-wide rate round robin on a fake clock, and nothing after stop', async () => {
    vi.useFakeTimers();
    const calls = [0, 0, 0, 0, 0];
    const devices = calls.map((_, i) => async () => {
      calls[i] = (calls[i] ?? 0) + 1;
    });
    const load = new LoadGenerator({ devices, ratePerSecond: 50, now: () => Date.now() });
    load.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(load.counters).toMatchObject({ sent: 50, acked: 50, dropped: 0, failed: 0, skipped: 0 });
    expect(calls).toEqual([10, 10, 10, 10, 10]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(load.counters.sent).toBe(500);
    load.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(load.counters.sent).toBe(500);
  });

  it('counts what each publish came to', async () => {
    vi.useFakeTimers();
    const devices = [
      () => Promise.resolve(),
      () => Promise.reject(new AgentError('dropped', 'the offline queue was full')),
      () => Promise.reject(new AgentError('stopped', 'the agent was stopped')),
      () => {
        throw new RangeError('metric temperature is not finite');
      },
    ];
    const load = new LoadGenerator({ devices, ratePerSecond: 40, now: () => Date.now() });
    load.start();
    await vi.advanceTimersByTimeAsync(1_000);
    load.stop();
    expect(load.counters).toEqual({ sent: 40, acked: 10, dropped: 10, failed: 20, skipped: 0 });
    expect(load.inFlight).toBe(0);
  });
});
