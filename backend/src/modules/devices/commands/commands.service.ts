/**
 * Commands from operators to devices: committed (with its audit event) before it is published, so
 * a command the broker has is always on record; published to `devices/{id}/commands` at QoS 1;
 * `delivered` once the broker holds it. The device's acknowledgement completes it (command-acks.ts);
 * a job times out what nobody acknowledged and re-publishes what the broker never got
 * (command-sweeper.ts).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { BackendMqtt } from '../../../core/mqtt/backend-mqtt.js';
import { DevicesRepository } from '../devices.repository.js';
import type { DeviceCommand, DeviceState, SendCommandBody } from './commands.dto.js';
import { type CommandRow, CommandsRepository, toCommand } from './commands.repository.js';

/** The command a device receives when its desired state changes. */
export const SET_DESIRED_STATE = 'set-desired-state';

@Injectable()
export class CommandsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(BackendMqtt) private readonly mqtt: BackendMqtt,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async send(actor: Actor, deviceId: string, body: SendCommandBody): Promise<DeviceCommand> {
    const row = await this.db.transaction(async (tx) => {
      const device = await actor.load('command', 'Device', (access) =>
        this.devices.findOne(deviceId, access, tx, true),
      );
      if (device.lifecycleState !== 'active') {
        throw new AppError('invalid_state_transition', {
          detail: `Commands go to active devices; this one is ${device.lifecycleState}.`,
          extensions: { lifecycleState: device.lifecycleState, action: 'command' },
        });
      }
      if (body.name === SET_DESIRED_STATE) {
        await this.commands.setDesired(device.id, device.tenantId, body.params ?? {}, tx);
      }
      const command = await this.commands.insert(
        {
          deviceId: device.id,
          tenantId: device.tenantId,
          name: body.name,
          params: body.params ?? {},
          requestedBy: actor.principal.userId,
          timeoutSeconds: body.timeoutSeconds,
        },
        tx,
      );
      await this.audit.record(tx, actor, {
        type: 'device.command_requested',
        resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
        payload: { commandId: command.id, name: command.name },
      });
      return command;
    });
    return toCommand(await this.publish(row));
  }

  /** Hands a committed command to the broker; leaves it queued (for the sweeper) if that fails. */
  async publish(command: CommandRow): Promise<CommandRow> {
    if (!this.mqtt.enabled) return command;
    try {
      await this.mqtt.publish(
        `devices/${command.deviceId}/commands`,
        JSON.stringify({
          id: command.id,
          name: command.name,
          params: command.params,
          expiresAt: command.expiresAt,
        }),
      );
      await this.commands.markDelivered(command.id);
      return { ...command, status: 'delivered', deliveredAt: new Date().toISOString() };
    } catch (error) {
      this.logger.warn(
        { err: { message: (error as Error).message } },
        'command not published yet; will retry',
      );
      return command;
    }
  }

  async list(actor: Actor, deviceId: string): Promise<DeviceCommand[]> {
    const device = await actor.load('read', 'Device', (access) => this.devices.findOne(deviceId, access));
    return (await this.commands.list(device.id)).map(toCommand);
  }

  async get(actor: Actor, deviceId: string, commandId: string): Promise<DeviceCommand> {
    const device = await actor.load('read', 'Device', (access) => this.devices.findOne(deviceId, access));
    const command = await this.commands.findOne(device.id, commandId);
    if (!command) throw AppError.notFound('Command');
    return toCommand(command);
  }

  async state(actor: Actor, deviceId: string): Promise<DeviceState> {
    const device = await actor.load('read', 'Device', (access) => this.devices.findOne(deviceId, access));
    return (
      (await this.commands.state(device.id)) ?? {
        deviceId: device.id,
        online: false,
        reported: {},
        desired: {},
        reportedAt: null,
        desiredAt: null,
        onlineSince: null,
        offlineSince: null,
      }
    );
  }
}
