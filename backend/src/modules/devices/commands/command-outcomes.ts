/**
 * Features that follow up on a command's answer (certificate rotation: a CSR comes back, a
 * certificate goes out) listen here by command name. Called after the answer is committed; a
 * follow-up that fails is logged, and the feature's own job notices the unfinished work later.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import type { CommandRow } from './commands.repository.js';

@Injectable()
export class CommandOutcomes {
  private readonly listeners = new Map<string, (command: CommandRow) => Promise<void>>();

  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  listen(name: string, listener: (command: CommandRow) => Promise<void>): void {
    this.listeners.set(name, listener);
  }

  async notify(command: CommandRow): Promise<void> {
    const listener = this.listeners.get(command.name);
    if (!listener) return;
    await listener(command).catch((error: unknown) =>
      this.logger.warn(
        { err: { message: (error as Error).message }, command: command.name },
        'command follow-up failed',
      ),
    );
  }
}
