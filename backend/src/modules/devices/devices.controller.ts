/** /api/v1/devices: the device registry. Thin: validate (via @Endpoint), call the service, present. */
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Actor, CurrentActor } from '../../core/authz/actor.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import { ifMatchHeaders, optionalIfMatch, requireIfMatch } from '../../core/http/etag.js';
import { etagResponseHeader, presentResource } from '../../core/http/present.js';
import {
  claimDeviceBody,
  type Device,
  deviceActionsSchema,
  deviceIdParams,
  devicePageSchema,
  deviceSummarySchema,
  deviceViewSchema,
  type ListDevicesQuery,
  listDevicesQuery,
  type RegisterDeviceBody,
  registerDeviceBody,
  type UpdateDeviceBody,
  updateDeviceBody,
} from './devices.dto.js';
import { type LifecycleAction, lifecycleEvents } from './devices.lifecycle.js';
import { DevicesService } from './devices.service.js';

const tags = ['devices'];

const present = (actor: Actor, reply: FastifyReply, device: Device) =>
  presentResource(actor, reply, 'Device', device);

const noBody = z.strictObject({}).optional().describe('No body (an empty object is accepted)');

const transitionSpec = (action: LifecycleAction, summary: string, body?: z.ZodType) =>
  Endpoint({
    summary,
    description: `Lifecycle action \`${action}\`. If-Match is optional here; when sent, it must match.`,
    tags,
    params: deviceIdParams,
    headers: ifMatchHeaders,
    // Actions without a body refuse one, rather than silently ignoring what the caller meant.
    body: body ?? noBody,
    permission: `${action}:Device`,
    audit: lifecycleEvents[action],
    response: {
      status: 200,
      description: 'The device after the transition',
      schema: deviceViewSchema,
      headers: etagResponseHeader,
    },
    errors: [
      'not_found',
      'invalid_state_transition',
      'precondition_failed',
      ...(action === 'claim' ? (['invalid_reference'] as const) : []),
    ],
  });

@Controller('v1/devices')
export class DevicesController {
  constructor(@Inject(DevicesService) private readonly devices: DevicesService) {}

  @Get()
  @Endpoint({
    summary: 'List devices',
    description:
      'Only devices the caller may read are returned (filtered in SQL by the same policy as single reads).',
    tags,
    query: listDevicesQuery,
    permission: 'read:Device',
    response: { status: 200, description: 'A page of devices', schema: devicePageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListDevicesQuery) {
    return this.devices.list(actor, query);
  }

  @Get('summary')
  @Endpoint({
    summary: 'Fleet status: device counts by lifecycle state',
    description: 'Counts only the devices the caller may read (the same policy filter as the list).',
    tags,
    permission: 'read:Device',
    response: { status: 200, description: 'Counts by lifecycle state', schema: deviceSummarySchema },
  })
  summary(@CurrentActor() actor: Actor) {
    return this.devices.summary(actor);
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Register a manufactured device',
    tags,
    body: registerDeviceBody,
    permission: 'create:Device',
    audit: 'device.registered',
    response: {
      status: 201,
      description: 'The registered device',
      schema: deviceViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['conflict', 'invalid_reference'],
  })
  async register(
    @CurrentActor() actor: Actor,
    @Body() body: RegisterDeviceBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const device = await this.devices.register(actor, body);
    reply.header('location', `/api/v1/devices/${device.id}`);
    return present(actor, reply, device);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a device',
    tags,
    params: deviceIdParams,
    permission: 'read:Device',
    response: {
      status: 200,
      description: 'The device',
      schema: deviceViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.devices.get(actor, params.id));
  }

  @Get(':id/actions')
  @Endpoint({
    summary: 'Lifecycle actions the caller may take on a device now',
    description:
      'Allowed by policy and valid from the current state. Interfaces offer exactly these actions.',
    tags,
    params: deviceIdParams,
    permission: 'read:Device',
    response: { status: 200, description: 'The available actions', schema: deviceActionsSchema },
    errors: ['not_found'],
  })
  actions(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return this.devices.availableActions(actor, params.id);
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Change a device’s model, firmware version or labels',
    tags,
    params: deviceIdParams,
    headers: ifMatchHeaders,
    body: updateDeviceBody,
    permission: 'update:Device',
    audit: 'device.updated',
    response: {
      status: 200,
      description: 'The updated device',
      schema: deviceViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found', 'precondition_required', 'precondition_failed', 'invalid_state_transition'],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateDeviceBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const version = requireIfMatch(ifMatch);
    return present(actor, reply, await this.devices.update(actor, params.id, version, body));
  }

  @Post(':id/provision')
  @HttpCode(200)
  @transitionSpec('provision', 'Mark a manufactured device as provisioned')
  provision(
    @CurrentActor() a: Actor,
    @Param() p: { id: string },
    @Headers('if-match') m: string | undefined,
    @Res({ passthrough: true }) r: FastifyReply,
  ) {
    return this.transition(a, p.id, 'provision', m, r);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @transitionSpec('claim', 'Claim a provisioned device into a site', claimDeviceBody)
  claim(
    @CurrentActor() a: Actor,
    @Param() p: { id: string },
    @Headers('if-match') m: string | undefined,
    @Body() body: { siteId: string },
    @Res({ passthrough: true }) r: FastifyReply,
  ) {
    return this.transition(a, p.id, 'claim', m, r, body.siteId);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @transitionSpec('activate', 'Activate a claimed or suspended device')
  activate(
    @CurrentActor() a: Actor,
    @Param() p: { id: string },
    @Headers('if-match') m: string | undefined,
    @Res({ passthrough: true }) r: FastifyReply,
  ) {
    return this.transition(a, p.id, 'activate', m, r);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @transitionSpec('suspend', 'Suspend an active device')
  suspend(
    @CurrentActor() a: Actor,
    @Param() p: { id: string },
    @Headers('if-match') m: string | undefined,
    @Res({ passthrough: true }) r: FastifyReply,
  ) {
    return this.transition(a, p.id, 'suspend', m, r);
  }

  @Post(':id/decommission')
  @HttpCode(200)
  @transitionSpec('decommission', 'Decommission a device (final)')
  decommission(
    @CurrentActor() a: Actor,
    @Param() p: { id: string },
    @Headers('if-match') m: string | undefined,
    @Res({ passthrough: true }) r: FastifyReply,
  ) {
    return this.transition(a, p.id, 'decommission', m, r);
  }

  private async transition(
    actor: Actor,
    id: string,
    action: LifecycleAction,
    ifMatch: string | undefined,
    reply: FastifyReply,
    siteId?: string,
  ) {
    const device = await this.devices.transition(
      actor,
      id,
      action,
      optionalIfMatch(ifMatch),
      siteId ? { siteId } : {},
    );
    return present(actor, reply, device);
  }
}
