/**
 * The whole local platform as one reusable unit: PostgreSQL (embedded unless DATABASE_URL is set),
 * migrations, the demo seed, the development identity provider and the API. `npm start`, the
 * benchmark and the end-to-end tests all start exactly this.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createApp } from '../app.js';
import type { AppConfig } from '../core/config/config.js';
import { appUrlFor, ensureAppLogin, ensureDatabase } from '../core/database/admin.js';
import { Database } from '../core/database/database.js';
import { migrate } from '../core/database/migrator.js';
import { createApiPool } from '../core/database/pool.js';
import { createLogger } from '../core/logging/logger.js';
import { type RunningMailCatcher, startMailCatcher } from '../core/mail/mail-catcher.js';
import type { BrokerControl } from '../core/mqtt/broker-control.js';
import { embeddedBrokerControl, startEmbeddedBroker } from '../core/mqtt/embedded-broker.js';
import { FileCertificateAuthority } from '../core/pki/file-certificate-authority.js';
import { type RunningIdentityProvider, startIdentityProvider } from '../dev-idp/identity-provider.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { seedDemo } from './seed.js';

export const DATABASE_NAME = 'custos';

export interface StackOptions {
  config: AppConfig;
  logDestination?: DestinationStream;
  /** Throwaway embedded database (tests, benchmarks): non-durable settings, removed on stop. */
  ephemeralDatabase?: boolean;
  /** Progress messages for a person watching `npm start`. */
  onProgress?: (message: string) => void;
}

export interface RunningStack {
  /** The configuration in force (issuer and database filled in from what was started). */
  config: AppConfig;
  databaseUrl: string;
  apiUrl: string;
  app: NestFastifyApplication;
  identityProvider: RunningIdentityProvider | undefined;
  /** The development mail catcher, when the stack started one (no MAIL_URL given). */
  mailCatcher: RunningMailCatcher | undefined;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const progress = options.onProgress ?? (() => undefined);
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) await fn().catch(() => undefined);
  };
  try {
    let config = options.config;
    let databaseUrl = config.DATABASE_URL;
    let migrationUrl = config.DATABASE_MIGRATION_URL ?? databaseUrl;
    let embeddedAdminUrl: string | undefined;
    if (!databaseUrl) {
      progress(
        `starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT} (data in ${config.EMBEDDED_PG_DATA_DIR})`,
      );
      const embedded = await startEmbeddedPostgres({
        dataDir: config.EMBEDDED_PG_DATA_DIR,
        port: config.EMBEDDED_PG_PORT,
        ephemeral: options.ephemeralDatabase,
      });
      stoppers.push(() => embedded.stop());
      await ensureDatabase(embedded.adminUrl, DATABASE_NAME);
      embeddedAdminUrl = embedded.adminUrl;
      migrationUrl = embedded.urlFor(DATABASE_NAME);
      // The API runs as a non-owner role that may only insert into and read the audit trail.
      databaseUrl = appUrlFor(migrationUrl);
    }

    const { applied } = await migrate(migrationUrl as string);
    progress(
      applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date',
    );
    if (embeddedAdminUrl) await ensureAppLogin(embeddedAdminUrl);
    const pool = await createApiPool(config, databaseUrl);
    stoppers.push(() => pool.end());

    let identityProvider: RunningIdentityProvider | undefined;
    if (config.DEV_IDP_ENABLED) {
      const idp = await startIdentityProvider({
        port: config.DEV_IDP_PORT,
        keysFile: options.ephemeralDatabase ? undefined : config.DEV_IDP_KEYS_FILE,
        webRedirectUris: [`http://localhost:${config.WEB_PORT}/api/auth/callback`],
      });
      identityProvider = idp;
      stoppers.push(() => idp.close());
      config = Object.freeze({ ...config, OIDC_ISSUER: idp.issuer, OIDC_JWKS_URI: idp.jwksUri });
      progress(`development identity provider at ${idp.issuer}`);
    }
    if (config.SEED_DEMO) {
      await seedDemo(pool, config.OIDC_ISSUER);
      progress('demo data is in place');
    }

    const certificateAuthority = await FileCertificateAuthority.open(config.PKI_DIR, {
      crlUrl: config.PKI_CRL_URL,
    });
    let brokerControl: BrokerControl | null = null;
    if (config.MQTT_ENABLED && config.MQTT_EMBEDDED_BROKER) {
      const url = new URL(config.MQTT_URL);
      const broker = await startEmbeddedBroker({
        host: url.hostname,
        port: Number(url.port || 8883),
        serverCredentials: await certificateAuthority.issueTlsCredentials({
          commonName: url.hostname,
          usage: 'server',
          hostnames: [...new Set([url.hostname, 'localhost', '127.0.0.1'])],
        }),
        trustedCaPem: certificateAuthority.chainPem,
        log: createLogger(config.LOG_LEVEL, options.logDestination).child({ component: 'mqtt-broker' }),
      });
      stoppers.push(() => broker.stop());
      brokerControl = embeddedBrokerControl(broker);
      // Port 0 (tests) becomes the real one, for the backend's own connection and for devices.
      config = Object.freeze({ ...config, MQTT_URL: broker.url });
      progress(`embedded MQTT broker (mutual TLS, MQTT 3.1.1) at ${broker.url}`);
    }

    let mailCatcher: RunningMailCatcher | undefined;
    if (config.MAIL_CATCHER_ENABLED && !config.MAIL_URL && config.NODE_ENV !== 'production') {
      mailCatcher = await startMailCatcher({
        smtpPort: config.MAIL_CATCHER_SMTP_PORT,
        httpPort: config.MAIL_CATCHER_HTTP_PORT,
      }).catch((error: NodeJS.ErrnoException) => {
        // Mail is a convenience of the local stack: a taken port must not stop the platform.
        if (error.code !== 'EADDRINUSE') throw error;
        progress('development mail catcher not started (its port is in use): mail is dropped');
        return undefined;
      });
      const catcher = mailCatcher;
      if (catcher) {
        stoppers.push(() => catcher.stop());
        // Port 0 (tests) becomes the real one; the Mailer sends there.
        config = Object.freeze({ ...config, MAIL_URL: catcher.smtpUrl });
        progress(`development mail catcher: mail sent by the platform is shown at ${catcher.httpUrl}`);
      }
    }

    const app = await createApp({
      config,
      database: new Database(pool),
      logDestination: options.logDestination,
      certificateAuthority,
      brokerControl,
    });
    stoppers.push(() => app.close());
    await app.listen({ host: config.API_HOST, port: config.API_PORT });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.API_PORT;
    const apiUrl = `http://localhost:${port}/api`;
    return { config, databaseUrl, apiUrl, app, identityProvider, mailCatcher, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
