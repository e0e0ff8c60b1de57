/** Cross-cutting providers every domain module uses: configuration, database, identity, authorization. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AuditMetrics, METRICS_REGISTRY } from './audit/audit-metrics.js';
import { AuditRecorder } from './audit/audit-recorder.js';
import { AuditTrail } from './audit/audit-trail.js';
import { MASTER_KEY, type MasterKey } from './audit/master-key.js';
import { SigningKeys } from './audit/signing-keys.js';
import { SubjectErasure } from './audit/subject-erasure.js';
import { SubjectVault } from './audit/subject-vault.js';
import { AuthGuard } from './auth/auth.guard.js';
import { SubjectRepository } from './auth/subject.repository.js';
import { SubjectDirectory } from './auth/subject-directory.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { AuthzService } from './authz/authz.service.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { APP_LOGGER, BROKER_CONTROL, CERTIFICATE_AUTHORITY } from './core.tokens.js';
import { Database } from './database/database.js';
import { RequestValidationGuard } from './http/request-validation.guard.js';
import { JobQueue } from './jobs/job-queue.js';
import { JobWorker } from './jobs/job-worker.js';
import { BackendMqtt } from './mqtt/backend-mqtt.js';
import type { BrokerControl } from './mqtt/broker-control.js';
import type { CertificateAuthority } from './pki/certificate-authority.js';

export { APP_LOGGER, BROKER_CONTROL, CERTIFICATE_AUTHORITY };

export interface CoreDependencies {
  config: AppConfig;
  database: Database;
  logger: Logger;
  metrics: Registry;
  /** Wraps subject keys and signing keys: a key file in development, a KMS in production. */
  masterKey: MasterKey;
  certificateAuthority: CertificateAuthority;
  brokerControl: BrokerControl | null;
}

@Global()
@Module({})
export class CoreModule {
  static register(deps: CoreDependencies): DynamicModule {
    const exported = [
      APP_CONFIG,
      Database,
      APP_LOGGER,
      TokenVerifier,
      SubjectDirectory,
      SubjectRepository,
      AuthzService,
      METRICS_REGISTRY,
      MASTER_KEY,
      CERTIFICATE_AUTHORITY,
      BROKER_CONTROL,
      BackendMqtt,
      AuditMetrics,
      SubjectVault,
      AuditRecorder,
      SigningKeys,
      AuditTrail,
      SubjectErasure,
      JobQueue,
      JobWorker,
    ];
    return {
      module: CoreModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: Database, useValue: deps.database },
        { provide: APP_LOGGER, useValue: deps.logger },
        { provide: METRICS_REGISTRY, useValue: deps.metrics },
        { provide: MASTER_KEY, useValue: deps.masterKey },
        { provide: CERTIFICATE_AUTHORITY, useValue: deps.certificateAuthority },
        { provide: BROKER_CONTROL, useValue: deps.brokerControl },
        { provide: AuditMetrics, useValue: new AuditMetrics(deps.metrics) },
        SubjectVault,
        AuditRecorder,
        BackendMqtt,
        SigningKeys,
        AuditTrail,
        SubjectErasure,
        JobQueue,
        JobWorker,
        TokenVerifier,
        SubjectRepository,
        SubjectDirectory,
        AuthzService,
        // Guards run in this order: authenticate, then validate the request.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RequestValidationGuard },
      ],
      exports: exported,
    };
  }
}
