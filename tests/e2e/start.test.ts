/**
 * `npm start` as a person runs it: the built launcher, on free ports and a fresh data directory,
 * serves the API with real tokens from its own identity provider, stops cleanly on Ctrl-C (SIGINT)
 * and finds its data again on the next start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchPasswordToken } from '../../backend/src/dev-idp/identity-provider.js';
import { freePort } from '../support/free-port.js';

const launcher = new URL('../../backend/dist/launcher/start.js', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [launcher], {
    // DATABASE_URL is cleared: this is the embedded default, whatever server the suite targets.
    env: { ...process.env, ...env, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!output.includes('web app ready at')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`launcher did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output, exited };
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'custos-start-'));
  env = {
    API_PORT: String(await freePort()),
    DEV_IDP_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    EMBEDDED_PG_DATA_DIR: path.join(dir, 'postgres'),
    DEV_IDP_KEYS_FILE: path.join(dir, 'idp', 'jwks.json'),
    AUDIT_MASTER_KEY_FILE: path.join(dir, 'audit', 'master.key'),
    WEB_PORT: String(await freePort()),
    WEB_SESSION_SECRET_FILE: path.join(dir, 'web', 'session.key'),
    PKI_DIR: path.join(dir, 'pki'),
    MQTT_URL: `mqtts://localhost:${await freePort()}`,
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm start', () => {
  it('is built before the tests run', () => {
    expect(existsSync(launcher), 'run `npm run build` (npm test does) before this test').toBe(true);
  });

  it('serves the secured API, stops on SIGINT and keeps its data across restarts', {
    timeout: 240_000,
  }, async () => {
    const api = `http://localhost:${env.API_PORT}/api`;
    const tokenEndpoint = `http://localhost:${env.DEV_IDP_PORT}/realms/custos/protocol/openid-connect/token`;

    const first = await start(env as Record<string, string>);
    expect((await fetch(`${api}/health`)).status).toBe(200);
    // The web app is served beside the API, and sends a visitor without a session to sign in.
    const web = `http://localhost:${env.WEB_PORT}`;
    expect((await fetch(`${web}/en/sign-in`)).status).toBe(200);
    const home = await fetch(`${web}/en`, { redirect: 'manual' });
    expect(home.status).toBe(307);
    expect(home.headers.get('location')).toContain('/en/sign-in');
    const anonymous = await fetch(`${api}/v1/devices`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');

    const operator = await fetchPasswordToken(tokenEndpoint, 'operator');
    const list: any = await (
      await fetch(`${api}/v1/devices`, { headers: { authorization: `Bearer ${operator}` } })
    ).json();
    expect(list.items.map((d: { serialNumber: string }) => d.serialNumber).sort()).toEqual([
      'ACME-N-0001',
      'ACME-N-0002',
      'ACME-N-0003',
    ]);

    const admin = await fetchPasswordToken(tokenEndpoint, 'tenant-admin');
    const created = await fetch(`${api}/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ serialNumber: 'KEEP-ME-1', model: 'CX' }),
    });
    expect(created.status).toBe(201);

    expect(await stop(first), first.output()).toBe(0);
    expect(first.output()).toContain('stopped');
    await expect(fetch(`${api}/health`)).rejects.toThrow();

    const second = await start(env as Record<string, string>);
    // Keys were kept too: the token from the first run still verifies.
    const kept = await fetch(`${api}/v1/devices?serialPrefix=KEEP-ME`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(((await kept.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(second.output()).toContain('database schema is up to date');
    expect(await stop(second), second.output()).toBe(0);
  });

  it('recovers the database server a killed launcher left behind', { timeout: 240_000 }, async () => {
    const crashed = await start(env as Record<string, string>);
    crashed.child.kill('SIGKILL'); // no chance to stop PostgreSQL: it keeps running, orphaned
    await crashed.exited;
    const again = await start(env as Record<string, string>);
    expect((await fetch(`http://localhost:${env.API_PORT}/api/health/ready`)).status).toBe(200);
    // The killed launcher's web app exited on its own, so the new one could take the port.
    expect((await fetch(`http://localhost:${env.WEB_PORT}/en/sign-in`)).status).toBe(200);
    expect(await stop(again), again.output()).toBe(0);
  });

  it('names the setting to change when a port is taken', async () => {
    const blocker = createServer().listen(Number(env.EMBEDDED_PG_PORT), '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const child = spawn(process.execPath, [launcher], {
        env: { ...process.env, ...env, DATABASE_URL: '', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stderr?.on('data', (c) => (output += c));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(output).toContain(`Port ${env.EMBEDDED_PG_PORT} is already in use; set EMBEDDED_PG_PORT`);
    } finally {
      blocker.close();
    }
  });
});
