/**
 * Turns anything thrown anywhere (our AppError, Nest/Fastify HTTP errors, PostgreSQL and slonik
 * errors) into an AppError with a stable code. Unknown errors become `internal`: the caller logs
 * them; the client never sees their message or stack.
 */
import { HttpException } from '@nestjs/common';
import {
  BackendTerminatedError,
  ConnectionError,
  InputSyntaxError,
  StatementCancelledError,
  StatementTimeoutError,
} from 'slonik';
import { AppError } from './app-error.js';
import type { ErrorCode } from './error-codes.js';

/** SQLSTATE classes and codes we map; see https://www.postgresql.org/docs/current/errcodes-appendix.html */
function fromSqlState(state: string): { code: ErrorCode; detail: string } | undefined {
  if (state === '23505')
    return { code: 'conflict', detail: 'A resource with the same unique value already exists.' };
  if (state === '23503')
    return { code: 'invalid_reference', detail: 'A referenced resource does not exist.' };
  if (state === '57014')
    return { code: 'database_timeout', detail: 'The query was cancelled after its time limit.' };
  if (state === '40001' || state === '40P01') {
    return { code: 'service_unavailable', detail: 'A concurrent update interfered; retry the request.' };
  }
  if (state.startsWith('22') || state === '23502' || state === '23514') {
    return { code: 'validation_failed', detail: 'A value was rejected by the database.' };
  }
  if (state.startsWith('08') || state.startsWith('53') || state.startsWith('57P')) {
    return { code: 'service_unavailable', detail: 'The database is unavailable.' };
  }
  return undefined;
}

export function sqlStateOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as Error).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** Fastify's own errors (body parsing, limits) carry a `FST_ERR_*` code and a 4xx statusCode. */
function fromHttpStatus(status: number, message: string): AppError {
  switch (status) {
    case 404:
      return new AppError('route_not_found', { detail: 'No route matches this method and path.' });
    case 405:
      return new AppError('method_not_allowed');
    case 413:
      return new AppError('payload_too_large');
    case 414:
      return new AppError('uri_too_long', { detail: 'A path segment is longer than the API accepts.' });
    case 415:
      return new AppError('unsupported_media_type', {
        detail: 'Send JSON with Content-Type: application/json.',
      });
    case 401:
      return new AppError('unauthenticated');
    case 403:
      return new AppError('forbidden');
    default:
      return new AppError('malformed_body', { detail: safeParserMessage(message) });
  }
}

/** Body parser messages are generic ("Unexpected token } in JSON at position 7"): safe to return, but bounded. */
function safeParserMessage(message: string): string {
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof StatementTimeoutError || error instanceof StatementCancelledError) {
    return new AppError('database_timeout', { cause: error });
  }
  if (error instanceof ConnectionError || error instanceof BackendTerminatedError) {
    return new AppError('service_unavailable', {
      detail: 'The database is unavailable.',
      headers: { 'retry-after': '5' },
      cause: error,
    });
  }
  if (error instanceof InputSyntaxError) return new AppError('internal', { cause: error });
  const state = sqlStateOf(error);
  const mapped = state ? fromSqlState(state) : undefined;
  if (mapped) {
    const headers: Record<string, string> =
      mapped.code === 'service_unavailable' ? { 'retry-after': '1' } : {};
    return new AppError(mapped.code, { detail: mapped.detail, headers, cause: error });
  }
  if (error instanceof HttpException) {
    return fromHttpStatus(error.getStatus(), error.message);
  }
  // Fastify's router errors (reported through `frameworkErrors`): the caller's URL is not echoed.
  if ((error as { code?: unknown } | null)?.code === 'FST_ERR_BAD_URL') {
    return new AppError('malformed_url', { detail: 'The path contains an invalid percent-encoding.' });
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return fromHttpStatus(status, (error as Error).message ?? '');
  }
  return new AppError('internal', { cause: error });
}
