/**
 * Every few seconds, in every instance: times out commands nobody acknowledged in time (each row
 * is taken by one instance: FOR UPDATE SKIP LOCKED), and publishes again the commands that were
 * committed while the broker was unreachable. Devices ignore a command id they have already run.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { type PeriodicJob, runPeriodically } from '../../../core/jobs/periodic.js';
import { CommandsRepository } from './commands.repository.js';
import { CommandsService } from './commands.service.js';

const SWEEP_MS = 2_000;
const RESEND_AFTER_SECONDS = 10;

@Injectable()
export class CommandSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private job: PeriodicJob | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(CommandsService) private readonly service: CommandsService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job = runPeriodically(
      SWEEP_MS,
      () => this.sweep(),
      (error) => this.logger.warn({ err: { message: error.message } }, 'command sweep failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass; returns how many commands timed out. */
  async sweep(): Promise<number> {
    const timedOut = await this.db.transaction(async (tx) => {
      const rows = await this.commands.timeOutExpired(tx);
      if (rows.length > 0) {
        await this.audit.record(
          tx,
          'system',
          ...rows.map((row) => ({
            type: 'device.command_completed' as const,
            outcome: 'failed' as const,
            resource: { type: 'Device', id: row.deviceId, tenantId: row.tenantId },
            payload: { commandId: row.id, name: row.name, status: 'timed_out' as const },
          })),
        );
      }
      return rows.length;
    });
    for (const command of await this.commands.undelivered(RESEND_AFTER_SECONDS))
      await this.service.publish(command);
    return timedOut;
  }
}
