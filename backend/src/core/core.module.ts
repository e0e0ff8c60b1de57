/** Cross-cutting providers every domain module uses: configuration, database, identity, authorization. */
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuthGuard } from './auth/auth.guard.js';
import { SubjectRepository } from './auth/subject.repository.js';
import { SubjectDirectory } from './auth/subject-directory.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { AuthzService } from './authz/authz.service.js';
import { APP_CONFIG, type AppConfig } from './config/config.js';
import { Database } from './database/database.js';
import { RequestValidationGuard } from './http/request-validation.guard.js';

export const APP_LOGGER = Symbol('APP_LOGGER');

export interface CoreDependencies {
  config: AppConfig;
  database: Database;
  logger: Logger;
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
    ];
    return {
      module: CoreModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: APP_CONFIG, useValue: deps.config },
        { provide: Database, useValue: deps.database },
        { provide: APP_LOGGER, useValue: deps.logger },
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
