/**
 * The whole platform as `npm start` runs it (embedded PostgreSQL, identity provider, API, the
 * development mail catcher, and the production build of the web app), on free ports with a
 * throwaway database: for the browser tests and the web benchmark. Uses the build output, so run
 * `npm run build` first.
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
  /** The development mail catcher's web address (its JSON list at `/messages`): mail to requesters. */
  mailUrl: string;
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
    // The mail catcher on free ports too (the stack points the API's mail at it); a MAIL_URL in the
    // environment is not read here, so mail never leaves the test run.
    MAIL_CATCHER_ENABLED: 'true',
    MAIL_CATCHER_SMTP_PORT: '0',
    MAIL_CATCHER_HTTP_PORT: '0',
  });
  const stack = await startStack({ config, ephemeralDatabase: true });
  try {
    if (!stack.mailCatcher)
      throw new Error('the stack started no mail catcher: browser tests read mail from it');
    const mailUrl = stack.mailCatcher.httpUrl;
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
      mailUrl,
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
