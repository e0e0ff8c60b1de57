import { type DynamicModule, Module } from '@nestjs/common';
import { type CoreDependencies, CoreModule } from './core/core.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { DevicesModule } from './modules/devices/devices.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { LiveModule } from './modules/live/live.module.js';
import { PrivacyModule } from './modules/privacy/privacy.module.js';
import { SitesModule } from './modules/sites/sites.module.js';
import { TelemetryModule } from './modules/telemetry/telemetry.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { UsersModule } from './modules/users/users.module.js';

@Module({})
export class AppModule {
  static register(deps: CoreDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(deps),
        HealthModule,
        TenantsModule,
        SitesModule,
        UsersModule,
        DevicesModule,
        AuditModule,
        TelemetryModule,
        LiveModule,
        PrivacyModule,
      ],
    };
  }
}
