/**
 * Consumes command acknowledgements and state messages. Each is committed with its audit event
 * (command completed; device connected or disconnected) and only then acknowledged to the broker.
 * A message that cannot be used (malformed, unknown command, another device's command) is counted
 * and acknowledged, so it is not redelivered forever; it never throws.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../../../core/audit/audit-metrics.js';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { BackendMqtt } from '../../../core/mqtt/backend-mqtt.js';
import type { DeferredMessage } from '../../../core/mqtt/deferred-acks.js';
import { CommandOutcomes } from './command-outcomes.js';
import { CommandsRepository } from './commands.repository.js';
import { deviceOf, parseAck, parseState } from './device-messages.js';

@Injectable()
export class DeviceMessagesConsumer implements OnModuleInit {
  private readonly ignored: Counter<'channel' | 'reason'>;
  /** The last pending message of each topic, so that the next one waits for it. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(BackendMqtt) private readonly mqtt: BackendMqtt,
    @Inject(CommandOutcomes) private readonly outcomes: CommandOutcomes,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.ignored = new Counter({
      name: 'custos_device_messages_ignored_total',
      help: 'State and command-acknowledgement messages that could not be used, by reason',
      labelNames: ['channel', 'reason'],
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.mqtt.consume('commands/ack', (message) => this.inOrder(message, 'ack', () => this.onAck(message)));
    this.mqtt.consume('state', (message) => this.inOrder(message, 'state', () => this.onState(message)));
  }

  /**
   * One device's messages are handled one after another, in the order the broker delivered them
   * (MQTT keeps a publisher's order per topic): a state message must not overtake the one before.
   */
  private inOrder(message: DeferredMessage, channel: string, work: () => Promise<string | null>): void {
    const key = message.topic;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.handle(channel, message, work));
    this.tails.set(key, next);
    void next.finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  /** Runs one message's work; acknowledges after it, unless the database failed (then redelivery). */
  private async handle(channel: string, message: DeferredMessage, work: () => Promise<string | null>) {
    try {
      const ignoredBecause = await work();
      if (ignoredBecause) this.ignored.inc({ channel, reason: ignoredBecause });
      message.acknowledge();
    } catch (error) {
      // Not acknowledged: the broker delivers it again when the session resumes.
      this.logger.warn(
        { err: { message: (error as Error).message }, channel },
        'device message not committed',
      );
    }
  }

  private async onAck(message: DeferredMessage): Promise<string | null> {
    const deviceId = deviceOf(message.topic);
    const ack = parseAck(message.payload);
    if (!deviceId || !ack) return 'malformed';
    const completed = await this.db.transaction(async (tx) => {
      const completed = await this.commands.complete(
        deviceId,
        ack.id,
        {
          status: ack.status === 'acknowledged' ? 'acknowledged' : 'failed',
          result: ack.result ?? null,
          error: ack.status === 'rejected' ? (ack.error ?? 'rejected') : (ack.error ?? null),
        },
        tx,
      );
      // Unknown, already completed (a redelivered ack) or another device's command.
      if (!completed) return null;
      await this.audit.record(
        tx,
        { device: { id: deviceId, tenantId: completed.tenantId } },
        {
          type: 'device.command_completed',
          outcome: completed.status === 'acknowledged' ? 'allowed' : 'failed',
          resource: { type: 'Device', id: deviceId, tenantId: completed.tenantId },
          payload: {
            commandId: completed.id,
            name: completed.name,
            status: completed.status as 'acknowledged' | 'failed',
            ...(completed.error ? { error: completed.error } : {}),
          },
        },
      );
      return completed;
    });
    if (!completed) return 'no_open_command';
    await this.outcomes.notify(completed);
    return null;
  }

  private async onState(message: DeferredMessage): Promise<string | null> {
    const deviceId = deviceOf(message.topic);
    const report = parseState(message.payload);
    if (!deviceId || !report) return 'malformed';
    return this.db.transaction(async (tx) => {
      const recorded = await this.commands.report(deviceId, report, tx);
      if (!recorded) return 'unknown_device';
      if (recorded.wasOnline !== report.online && !(recorded.wasOnline === null && !report.online)) {
        await this.audit.record(
          tx,
          { device: { id: deviceId, tenantId: recorded.tenantId } },
          {
            type: report.online ? 'device.connected' : 'device.disconnected',
            resource: { type: 'Device', id: deviceId, tenantId: recorded.tenantId },
            payload: {},
          },
        );
      }
      return null;
    });
  }
}
