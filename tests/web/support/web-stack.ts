/**
 * The whole platform as `npm start` runs it (embedded PostgreSQL, identity provider, API, and the
 * production build of the web app), on free ports with a throwaway database: for the browser
 * tests and the web benchmark. Uses the build output, so run `npm run build` first.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../backend/dist/core/config/config.js';
import { startStack } from '../../../backend/dist/launcher/stack.js';
import { startWebApp } from '../../../backend/dist/launcher/web-app.js';
import { freePort } from '../../support/free-port.ts';

export interface WebStack {
  webUrl: string;
  apiUrl: string;
  issuer: string;
  databaseUrl: string;
  /** The MQTT broker (mutual TLS) devices connect to. */
  mqttUrl: string;
  /** The web app's session secret, so tests can seal sessions in states hard to reach by waiting. */
  sessionSecret: string;
  stop(): Promise<void>;
}

export async function startWebStack(options: { webEnv?: Record<string, string> } = {}): Promise<WebStack> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custos-web-'));
  const [apiPort, idpPort, webPort, pgPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    API_PORT: String(apiPort),
    DEV_IDP_PORT: String(idpPort),
    WEB_PORT: String(webPort),
    EMBEDDED_PG_PORT: String(pgPort),
    EMBEDDED_PG_DATA_DIR: path.join(dir, 'pg'),
    AUDIT_MASTER_KEY_FILE: path.join(dir, 'master.key'),
    PKI_DIR: path.join(dir, 'pki'),
    // Port 0: the embedded broker takes a free port and the stack reports it.
    MQTT_URL: 'mqtts://localhost:0',
  });
  const stack = await startStack({ config, ephemeralDatabase: true });
  try {
    const sessionSecretFile = path.join(dir, 'web-session.key');
    const web = await startWebApp({
      host: 'localhost',
      port: webPort,
      apiUrl: stack.apiUrl,
      issuer: stack.config.OIDC_ISSUER,
      sessionSecretFile,
      env: options.webEnv,
    });
    return {
      webUrl: web.url,
      apiUrl: stack.apiUrl,
      issuer: stack.config.OIDC_ISSUER,
      databaseUrl: stack.databaseUrl,
      mqttUrl: stack.config.MQTT_URL,
      sessionSecret: (await readFile(sessionSecretFile, 'utf8')).trim(),
      async stop() {
        await web.stop();
        await stack.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
