import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { DeviceDirectory } from './device-directory.js';
import { TelemetryController } from './telemetry.controller.js';
import { TelemetryRepository } from './telemetry.repository.js';
import { TelemetryService } from './telemetry.service.js';
import { TelemetryIngest } from './telemetry-ingest.service.js';
import { TelemetryPartitionsJob } from './telemetry-partitions.job.js';

@Module({
  imports: [DevicesModule],
  controllers: [TelemetryController],
  providers: [
    DeviceDirectory,
    TelemetryRepository,
    TelemetryPartitionsJob,
    TelemetryIngest,
    TelemetryService,
  ],
  exports: [TelemetryIngest, DeviceDirectory],
})
export class TelemetryModule {}
