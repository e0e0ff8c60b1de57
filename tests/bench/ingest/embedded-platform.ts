/**
 * The platform as `npm start` runs it, in the benchmark's child processes: the embedded broker
 * (aedes, MQTT 3.1.1, mutual TLS) and the API in one process, the API pushing revocations to the
 * broker. Used by the revocation and fan-out measurements (Mosquitto has no revocation channel
 * from serve.js).
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../../backend/dist/app.js';
import { loadConfig } from '../../../backend/dist/core/config/config.js';
import { Database } from '../../../backend/dist/core/database/database.js';
import { createApiPool } from '../../../backend/dist/core/database/pool.js';
import {
  type EmbeddedBroker,
  embeddedBrokerControl,
  startEmbeddedBroker,
} from '../../../backend/dist/core/mqtt/embedded-broker.js';
import { FileCertificateAuthority } from '../../../backend/dist/core/pki/file-certificate-authority.js';
import type { BenchDevice } from './fleet.ts';

export interface EmbeddedPlatform {
  broker: EmbeddedBroker;
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port>/api/v1 */
  api: string;
  close(): Promise<void>;
}

export async function startEmbeddedPlatform(options: {
  ca: FileCertificateAuthority;
  appDatabaseUrl: string;
  issuer: string;
  jwksUri: string;
  pkiDir: string;
  masterKeyFile: string;
  /** Whether the API also ingests telemetry from the broker (its own MQTT connection). */
  ingest: boolean;
}): Promise<EmbeddedPlatform> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const broker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      serverCredentials: await options.ca.issueTlsCredentials({
        commonName: 'localhost',
        usage: 'server',
        hostnames: ['localhost', '127.0.0.1'],
      }),
      trustedCaPem: options.ca.chainPem,
    });
    cleanups.push(() => broker.stop());
    const config = loadConfig({
      DATABASE_URL: options.appDatabaseUrl,
      OIDC_ISSUER: options.issuer,
      OIDC_JWKS_URI: options.jwksUri,
      DEV_IDP_ENABLED: 'false',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      PKI_DIR: options.pkiDir,
      AUDIT_MASTER_KEY_FILE: options.masterKeyFile,
      MQTT_ENABLED: options.ingest ? 'true' : 'false',
      MQTT_URL: broker.url,
      MQTT_EMBEDDED_BROKER: 'true',
      MQTT_SHARED_GROUP: '',
      MQTT_CLIENT_ID: 'custos-backend-bench-embedded',
    });
    const pool = await createApiPool(config, options.appDatabaseUrl);
    cleanups.push(() => pool.end());
    const app = await createApp({
      config,
      database: new Database(pool),
      certificateAuthority: options.ca,
      brokerControl: embeddedBrokerControl(broker),
    });
    cleanups.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { broker, app, api: `http://127.0.0.1:${port}/api/v1`, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A device as it crosses the IPC channel: its dates become strings on the way. */
export const revived = (device: BenchDevice): BenchDevice => ({
  ...device,
  notBefore: new Date(device.notBefore),
  notAfter: new Date(device.notAfter),
});

/**
 * A worker's side of the benchmark's IPC: waits for one command of `type` (carrying the CA's
 * directory), runs it with the CA opened, answers `{ type: reply, result }` and exits; a failure
 * is answered as `failed`. Says `ready` first.
 */
export function workOn<C extends { type: string; pkiDir: string }>(
  type: C['type'],
  reply: string,
  run: (command: C, ca: FileCertificateAuthority) => Promise<unknown>,
): void {
  process.on('message', (command: C) => {
    if (command.type !== type) return;
    void (async () => {
      const result = await run(command, await FileCertificateAuthority.open(command.pkiDir));
      process.send?.({ type: reply, result }, () => process.exit(0));
    })().catch((error: unknown) =>
      process.send?.({ type: 'failed', error: String((error as Error)?.stack ?? error) }),
    );
  });
  if (process.send) process.send({ type: 'ready' });
}
