/**
 * What a device does with a command from the platform, apart from MQTT: parse it, refuse what it cannot
 * run, run the handler registered for its name, and answer with an acknowledgement. Commands arrive at least
 * once (QoS 1), so the acknowledgements of the last ids are remembered: a redelivered command gets the same
 * answer again and its handler does not run twice.
 */
export type CommandStatus = 'acknowledged' | 'rejected' | 'failed';

export interface CommandAck {
  id: string;
  status: CommandStatus;
  result?: unknown;
  /**
   * A short, stable code: `unknown_command`, `expired`, `invalid_command`, `handler_failed`, or the
   * handler's.
   */
  error?: string;
}

export interface DeviceCommand {
  id: string;
  name: string;
  params: Record<string, unknown>;
  expiresAt?: Date;
}

/** Runs a command; what it returns (JSON) becomes the ack's `result`, what it throws a `failed` ack. */
export type CommandHandler = (params: Record<string, unknown>, command: DeviceCommand) => unknown;

export type CommandOutcome =
  | { kind: 'ack'; ack: CommandAck; duplicate: boolean }
  /** Nothing to answer: not JSON, or no id to answer to. */
  | { kind: 'malformed'; reason: string };

/** An error a handler may throw to choose the ack's error code. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message = code,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

const MAX_ID_LENGTH = 128;
const ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

export interface CommandDispatcherOptions {
  /** How many command ids to remember for redelivery; default 256. */
  memory?: number;
  now?: () => Date;
}

export class CommandDispatcher {
  readonly #handlers = new Map<string, CommandHandler>();
  /** Insertion-ordered: the first entry is the oldest id. */
  readonly #answered = new Map<string, Promise<CommandAck>>();
  readonly #memory: number;
  readonly #now: () => Date;

  constructor({ memory = 256, now = () => new Date() }: CommandDispatcherOptions = {}) {
    this.#memory = memory;
    this.#now = now;
  }

  on(name: string, handler: CommandHandler): void {
    this.#handlers.set(name, handler);
  }

  /** Never rejects: every failure becomes an ack or a `malformed` outcome. */
  async dispatch(payload: Uint8Array): Promise<CommandOutcome> {
    const parsed = parseCommand(payload);
    if ('reason' in parsed) return { kind: 'malformed', reason: parsed.reason };
    const earlier = this.#answered.get(parsed.id);
    if (earlier) return { kind: 'ack', ack: await earlier, duplicate: true };
    const answer = 'command' in parsed ? this.#run(parsed.command) : Promise.resolve(parsed.ack);
    this.#remember(parsed.id, answer);
    return { kind: 'ack', ack: await answer, duplicate: false };
  }

  async #run(command: DeviceCommand): Promise<CommandAck> {
    const { id } = command;
    const handler = this.#handlers.get(command.name);
    if (!handler) return { id, status: 'rejected', error: 'unknown_command' };
    if (command.expiresAt && command.expiresAt.getTime() <= this.#now().getTime()) {
      return { id, status: 'rejected', error: 'expired' };
    }
    try {
      const result = await handler(command.params, command);
      // A result that cannot travel as JSON would fail later, in the publish; say so now instead.
      if (result !== undefined) JSON.stringify(result);
      return result === undefined ? { id, status: 'acknowledged' } : { id, status: 'acknowledged', result };
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      return {
        id,
        status: 'failed',
        error: typeof code === 'string' && ERROR_CODE.test(code) ? code : 'handler_failed',
      };
    }
  }

  #remember(id: string, answer: Promise<CommandAck>): void {
    this.#answered.set(id, answer);
    while (this.#answered.size > this.#memory) {
      const oldest = this.#answered.keys().next().value;
      if (oldest === undefined) break;
      this.#answered.delete(oldest);
    }
  }
}

type Parsed =
  | { id: string; command: DeviceCommand }
  /** A command with an id but unusable otherwise: answered, never run. */
  | { id: string; ack: CommandAck }
  | { reason: string };

function parseCommand(payload: Uint8Array): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return { reason: 'not JSON' };
  }
  if (!isRecord(body)) return { reason: 'not a JSON object' };
  const { id, name, params = {}, expiresAt } = body;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH)
    return { reason: 'no valid id' };
  const expiry = typeof expiresAt === 'string' ? new Date(expiresAt) : undefined;
  const invalid =
    typeof name !== 'string' ||
    name.length === 0 ||
    !isRecord(params) ||
    (expiresAt !== undefined && (expiry === undefined || Number.isNaN(expiry.getTime())));
  if (invalid) return { id, ack: { id, status: 'rejected', error: 'invalid_command' } };
  return { id, command: expiry ? { id, name, params, expiresAt: expiry } : { id, name, params } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
