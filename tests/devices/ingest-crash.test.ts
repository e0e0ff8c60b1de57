/**
 * The backend killed with SIGKILL in the middle of a telemetry stream, then restarted: every
 * message a device had acknowledged is in the database exactly once. What the dead process had
 * received but not committed was never acknowledged to the broker, which keeps it in the
 * backend's persistent session and delivers it again to the restarted process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { DeviceAgent } from '@custos/firmware';
import { sql } from 'slonik';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { FileCertificateAuthority } from '../../backend/src/core/pki/file-certificate-authority.js';
import { onlineAgent, type SimulatedDevice, simulatedDevice } from '../support/devices.js';
import { type MosquittoBroker, startMosquitto } from '../support/mosquitto.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const SERVE = fileURLToPath(new URL('../../backend/dist/launcher/serve.js', import.meta.url));
const DEVICES = 4;

let t: TestApp;
let broker: MosquittoBroker;
let ca: FileCertificateAuthority;
let devices: SimulatedDevice[];
const agents: DeviceAgent[] = [];
const backends: ChildProcess[] = [];
const clientId = `custos-backend-crash-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  ca = await FileCertificateAuthority.open(inject('testEnv').pkiDir);
  broker = await startMosquitto({ ca });
  t = await createTestApp();
  devices = [];
  for (let i = 0; i < DEVICES; i++) devices.push(await simulatedDevice(t, { serialNumber: `CRASH-${i}` }));
}, 60_000);

afterAll(async () => {
  for (const agent of agents) await agent.stop().catch(() => undefined);
  for (const backend of backends) backend.kill('SIGKILL');
  await t?.close();
  await broker?.stop();
});

/** The API as its own process (backend/dist/launcher/serve.js), ingesting from the test broker. */
async function startBackend(): Promise<ChildProcess> {
  const env = inject('testEnv');
  const child = spawn(process.execPath, [SERVE], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: t.databaseUrl,
      OIDC_ISSUER: env.issuer,
      OIDC_JWKS_URI: env.jwksUri,
      DEV_IDP_ENABLED: 'false',
      SEED_DEMO: 'false',
      API_PORT: '0',
      LOG_LEVEL: 'warn',
      PKI_DIR: env.pkiDir,
      AUDIT_MASTER_KEY_FILE: env.masterKeyFile,
      AUDIT_JOBS_ENABLED: 'false',
      MQTT_URL: broker.url,
      MQTT_EMBEDDED_BROKER: 'false',
      MQTT_PROTOCOL_VERSION: '5',
      MQTT_CLIENT_ID: clientId,
      TELEMETRY_BATCH_WAIT_MS: '10',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  backends.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('API listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`backend exited (${code}) before listening:\n${output}`)));
  });
  return child;
}

async function storedTimes(): Promise<readonly { deviceId: string; measuredAt: string }[]> {
  return t.adminPool.any(sql.type(z.object({ deviceId: z.string(), measuredAt: z.string() }))`
    SELECT device_id AS "deviceId", measured_at AS "measuredAt" FROM telemetry
    WHERE device_id = ANY(${sql.array(
      devices.map((d) => d.id),
      'uuid',
    )})`);
}

it('loses no acknowledged message and stores none twice across a SIGKILL', async () => {
  for (const device of devices) {
    agents.push(await onlineAgent(device, { url: broker.url, ca: ca.chainPem, protocolVersion: 5 }));
  }

  const waitUntil = async (check: () => boolean | Promise<boolean>, what: string) => {
    const until = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  // The backend's subscription must exist before the stream: the broker keeps messages only for
  // subscriptions it knows (in production the backend's session exists from its first start).
  let backend = await startBackend();
  await waitUntil(async () => {
    // Probes until one arrives (those sent before the subscription are rightly not delivered).
    await agents[0]?.publishTelemetry({ temperature: 4 }, new Date(Date.now() - 120_000));
    await new Promise((r) => setTimeout(r, 100));
    return (await storedTimes()).length > 0;
  }, 'the backend to subscribe');
  const probes = (await storedTimes()).length;

  const acknowledged = new Set<string>();
  const pending: Promise<void>[] = [];
  const start = Date.now() - 60_000;
  let sent = 0;
  let streaming = true;
  // Each device sends a message every few milliseconds; each has a distinct measurement time.
  const stream = (async () => {
    while (streaming) {
      for (const [index, agent] of agents.entries()) {
        const measuredAt = new Date(start + sent);
        const key = `${devices[index]?.id}|${measuredAt.toISOString()}`;
        pending.push(
          agent.publishTelemetry({ temperature: 4, battery: sent % 100 }, measuredAt).then(() => {
            acknowledged.add(key);
          }),
        );
        sent += 1;
      }
      await new Promise((r) => setTimeout(r, 3));
    }
  })();

  await waitUntil(async () => (await storedTimes()).length >= 400, '400 rows from the first backend');
  backend.kill('SIGKILL');
  await new Promise((resolve) => backend.once('exit', resolve));
  const storedAtKill = (await storedTimes()).length;
  // The stream goes on while no backend runs: the broker queues it in the backend's session.
  await new Promise((r) => setTimeout(r, 400));
  backend = await startBackend();
  await new Promise((r) => setTimeout(r, 400));
  streaming = false;
  await stream;
  await Promise.allSettled(pending);

  await waitUntil(
    async () => (await storedTimes()).length >= acknowledged.size + probes,
    'every acknowledged message',
  );
  const rows = await storedTimes();
  const keys = rows.map((r) => `${r.deviceId}|${r.measuredAt}`);
  expect(new Set(keys).size).toBe(keys.length);
  const missing = [...acknowledged].filter((key) => !keys.includes(key));
  expect(missing).toEqual([]);
  expect(storedAtKill).toBeLessThan(acknowledged.size);
  backend.kill('SIGTERM');
}, 60_000);
