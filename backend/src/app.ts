/**
 * Builds the API application (NestJS on Fastify) around an existing database pool. Used by the
 * launcher, the tests and the benchmark alike, so all three run the same stack.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { AuditRecorder } from './core/audit/audit-recorder.js';
import { recordFailedAttempt } from './core/audit/failed-attempts.js';
import { loadMasterKeyFile, type MasterKey } from './core/audit/master-key.js';
import type { AppConfig } from './core/config/config.js';
import type { Database } from './core/database/database.js';
import { ProblemFilter, sendProblem } from './core/errors/problem.filter.js';
import { REQUEST_ID_HEADER, requestIdFor } from './core/http/request-id.js';
import { listRoutes, recordRoutes } from './core/http/route-inventory.js';
import { createLogger, NestLogger } from './core/logging/logger.js';
import { createMetricsRegistry, instrumentHttp } from './core/metrics/http-metrics.js';
import type { BrokerControl } from './core/mqtt/broker-control.js';
import { EmqxBrokerControl } from './core/mqtt/emqx-broker-control.js';
import { registerDocsRoutes } from './core/openapi/docs-routes.js';
import { buildOpenApi } from './core/openapi/openapi.js';
import type { CertificateAuthority } from './core/pki/certificate-authority.js';
import { FileCertificateAuthority } from './core/pki/file-certificate-authority.js';

export const API_VERSION = '0.1.0';

export interface AppOptions {
  config: AppConfig;
  database: Database;
  /** Defaults to the key file named by AUDIT_MASTER_KEY_FILE (created if missing). */
  masterKey?: MasterKey;
  /** Defaults to the development CA in PKI_DIR (created if missing). */
  certificateAuthority?: CertificateAuthority;
  /**
   * Where revocations are pushed: the embedded broker (launcher), a test broker, or EMQX's API
   * when EMQX_API_URL is set. Null: brokers learn revocations from the CRL endpoint only.
   */
  brokerControl?: BrokerControl | null;
  /** Where JSON logs go (stdout by default); tests pass a capture stream. */
  logDestination?: DestinationStream;
}

export async function createApp({
  config,
  database,
  logDestination,
  masterKey,
  certificateAuthority,
  brokerControl,
}: AppOptions): Promise<NestFastifyApplication> {
  const logger = createLogger(config.LOG_LEVEL, logDestination);
  const metrics = createMetricsRegistry();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request is logged by our onResponse hook below, with the route template only.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    // Errors Fastify's router raises before any route runs (bad percent-encoding, over-long path
    // parameters) leave as problem+json like every other failure.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendProblem(request, reply, error, logger);
    },
    trustProxy: config.TRUST_PROXY,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({
      config,
      database,
      logger,
      metrics,
      masterKey:
        masterKey ??
        (await loadMasterKeyFile(config.AUDIT_MASTER_KEY_FILE, { create: config.NODE_ENV !== 'production' })),
      certificateAuthority:
        certificateAuthority ??
        (await FileCertificateAuthority.open(config.PKI_DIR, { crlUrl: config.PKI_CRL_URL })),
      brokerControl:
        brokerControl ??
        (config.EMQX_API_URL
          ? new EmqxBrokerControl(
              config.EMQX_API_URL,
              config.EMQX_API_KEY ?? '',
              config.EMQX_API_SECRET ?? '',
            )
          : null),
    }),
    adapter,
    {
      logger: new NestLogger(logger),
      // Fastify's own JSON parser only: Nest's would also accept form bodies.
      bodyParser: false,
    },
  );
  app.setGlobalPrefix('api');
  const recorder = app.get(AuditRecorder);
  app.useGlobalFilters(
    new ProblemFilter(logger, (request, error) => recordFailedAttempt(recorder, request, error)),
  );

  const fastify = app.getHttpAdapter().getInstance();
  recordRoutes(fastify);
  // JSON only: anything else is 415, not a string that a schema then half-understands.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // Responses may carry personal or health data: no shared or browser cache may keep them
    // (HIPAA §164.312(e)); clients must not reinterpret their type.
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    if (!logger.isLevelEnabled('info')) return;
    // Route template, never the raw URL: paths and query strings can carry identifiers.
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
  if (config.METRICS_ENABLED) {
    instrumentHttp(fastify, metrics);
    fastify.get('/metrics', async (_request, reply) =>
      reply.type(metrics.contentType).send(await metrics.metrics()),
    );
  }
  registerDocsRoutes(fastify, () =>
    buildOpenApi(listRoutes(app), { version: API_VERSION, issuer: config.OIDC_ISSUER }),
  );
  await app.init();
  await fastify.ready();
  return app;
}
