/**
 * Structured JSON logs with no personal or health data. What keeps them clean is mostly what we
 * choose to log (route templates, never raw URLs, query strings, bodies or error messages from
 * the database); redaction is the safety net for headers and well-known secret-bearing keys.
 */
import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'authorization',
  'cookie',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  '*.authorization',
  '*.cookie',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.client_secret',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'custos-api' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** Error details safe to log: the type, database code and stack frames, but not the message (it can quote input values). */
export function loggableError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: unknown; constraint?: unknown; stack?: string; cause?: unknown };
  const frames =
    typeof e?.stack === 'string'
      ? e.stack
          .split('\n')
          .filter((l) => l.trim().startsWith('at '))
          .slice(0, 12)
      : [];
  return {
    name: e?.name ?? typeof error,
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.constraint === 'string' ? { constraint: e.constraint } : {}),
    frames,
    ...(e?.cause ? { cause: loggableError(e.cause) } : {}),
  };
}

/** Routes Nest's own framework messages into the same JSON log. */
export class NestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, _trace?: string, context?: string) {
    this.logger.error({ context }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
