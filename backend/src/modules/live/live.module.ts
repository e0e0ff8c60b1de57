import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { TelemetryModule } from '../telemetry/telemetry.module.js';
import { LiveGateway } from './live.gateway.js';
import { LiveHub } from './live-hub.js';

@Module({
  imports: [DevicesModule, TelemetryModule],
  providers: [LiveHub, LiveGateway],
})
export class LiveModule {}
