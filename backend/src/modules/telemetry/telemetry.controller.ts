/** /api/v1/devices/{id}/telemetry: a device's measurements, filtered by the health-data policy. */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { type Actor, CurrentActor } from '../../core/authz/actor.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import { deviceIdParams } from '../devices/devices.dto.js';
import { type TelemetryQuery, telemetryQuery, telemetrySeriesSchema } from './telemetry.dto.js';
import { TelemetryService } from './telemetry.service.js';

@Controller('v1/devices/:id/telemetry')
export class TelemetryController {
  constructor(@Inject(TelemetryService) private readonly telemetry: TelemetryService) {}

  @Get()
  @Endpoint({
    summary: 'Read a device’s telemetry',
    description:
      'Points measured while the device was assigned to a patient are that patient’s health data: they are returned only where policy shows the caller that patient link (care relationship, purpose of use), are audited per patient as `device.telemetry_read`, and are otherwise counted in `withheld`.',
    tags: ['telemetry'],
    params: deviceIdParams,
    query: telemetryQuery,
    permission: 'read:Device',
    response: { status: 200, description: 'The points, oldest first', schema: telemetrySeriesSchema },
    errors: ['not_found'],
  })
  series(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Query() query: TelemetryQuery) {
    return this.telemetry.series(actor, params.id, query);
  }
}
