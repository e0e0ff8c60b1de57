/** /api/v1/devices/{id}/commands and /state: talking to a device and what it reports. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import { deviceIdParams } from '../devices.dto.js';
import {
  commandListSchema,
  commandParams,
  commandSchema,
  desiredStateBody,
  deviceStateSchema,
  type SendCommandBody,
  sendCommandBody,
} from './commands.dto.js';
import { CommandsService, SET_DESIRED_STATE } from './commands.service.js';

const tags = ['device commands'];
const sendErrors = ['not_found', 'invalid_state_transition'] as const;

@Controller('v1/devices/:id')
export class CommandsController {
  constructor(@Inject(CommandsService) private readonly commands: CommandsService) {}

  @Post('commands')
  @HttpCode(201)
  @Endpoint({
    summary: 'Send a command to an active device',
    description:
      'Recorded, then published to `devices/{id}/commands` (QoS 1). Status: `queued` → `delivered` (the broker has it) → `acknowledged` or `failed` (the device’s answer), or `timed_out`.',
    tags,
    params: deviceIdParams,
    body: sendCommandBody,
    permission: 'command:Device',
    audit: 'device.command_requested',
    response: { status: 201, description: 'The command', schema: commandSchema },
    errors: [...sendErrors],
  })
  send(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Body() body: SendCommandBody) {
    return this.commands.send(actor, params.id, body);
  }

  @Get('commands')
  @Endpoint({
    summary: 'A device’s recent commands',
    tags,
    params: deviceIdParams,
    permission: 'read:Device',
    response: { status: 200, description: 'Newest first, at most 100', schema: commandListSchema },
    errors: ['not_found'],
  })
  async list(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return { items: await this.commands.list(actor, params.id) };
  }

  @Get('commands/:commandId')
  @Endpoint({
    summary: 'One command and its status',
    tags,
    params: commandParams,
    permission: 'read:Device',
    response: { status: 200, description: 'The command', schema: commandSchema },
    errors: ['not_found'],
  })
  get(@CurrentActor() actor: Actor, @Param() params: { id: string; commandId: string }) {
    return this.commands.get(actor, params.id, params.commandId);
  }

  @Get('state')
  @Endpoint({
    summary: 'A device’s reported and desired state, and whether it is online',
    tags,
    params: deviceIdParams,
    permission: 'read:Device',
    response: { status: 200, description: 'The state', schema: deviceStateSchema },
    errors: ['not_found'],
  })
  state(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return this.commands.state(actor, params.id);
  }

  @Put('state/desired')
  @HttpCode(201)
  @Endpoint({
    summary: 'Set a device’s desired state',
    description: `Stored, and sent to the device as the command \`${SET_DESIRED_STATE}\` (tracked like any command).`,
    tags,
    params: deviceIdParams,
    body: desiredStateBody,
    permission: 'command:Device',
    audit: 'device.command_requested',
    response: { status: 201, description: 'The command carrying the desired state', schema: commandSchema },
    errors: [...sendErrors],
  })
  desired(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Body() body: { desired: object }) {
    return this.commands.send(actor, params.id, {
      name: SET_DESIRED_STATE,
      params: body.desired as Record<string, unknown>,
      timeoutSeconds: 300,
    });
  }
}
