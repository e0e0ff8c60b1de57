/** Every kind of failure maps to a stable code; unknown ones become `internal` and keep nothing of their message. */
import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AppError } from './app-error.js';
import { buildProblem } from './problem.js';
import { toAppError } from './to-app-error.js';

const pgError = (code: string) => Object.assign(new Error(`pg says ${code} with value "secret"`), { code });
const wrapped = (code: string) => Object.assign(new Error('slonik wrapper'), { cause: pgError(code) });

describe('toAppError', () => {
  it.each([
    ['23505', 'conflict', 409],
    ['23503', 'invalid_reference', 422],
    ['57014', 'database_timeout', 503],
    ['40001', 'service_unavailable', 503],
    ['40P01', 'service_unavailable', 503],
    ['22P02', 'validation_failed', 400],
    ['23514', 'validation_failed', 400],
    ['08006', 'service_unavailable', 503],
    ['53300', 'service_unavailable', 503],
    ['57P01', 'service_unavailable', 503],
  ])('maps SQLSTATE %s to %s (%i), raw or wrapped by slonik', (state, code, status) => {
    for (const error of [pgError(state), wrapped(state)]) {
      const mapped = toAppError(error);
      expect(mapped).toMatchObject({ code, status });
      expect(mapped.options.detail ?? '').not.toContain('secret');
    }
  });

  it('maps framework HTTP errors by status', () => {
    expect(toAppError(new NotFoundException()).code).toBe('route_not_found');
    expect(toAppError(new PayloadTooLargeException()).code).toBe('payload_too_large');
    expect(toAppError(new BadRequestException('Unexpected token } in JSON')).code).toBe('malformed_body');
    expect(toAppError(Object.assign(new Error('x'), { statusCode: 415 })).code).toBe(
      'unsupported_media_type',
    );
    expect(toAppError(Object.assign(new Error('x'), { statusCode: 414 })).code).toBe('uri_too_long');
    expect(
      toAppError(Object.assign(new Error("'/%' is not valid"), { code: 'FST_ERR_BAD_URL', statusCode: 400 }))
        .code,
    ).toBe('malformed_url');
  });

  it('keeps an AppError as it is and turns anything else into internal', () => {
    const own = AppError.forbidden('read:Device');
    expect(toAppError(own)).toBe(own);
    for (const thrown of [
      new TypeError('undefined is not a function'),
      'a string',
      null,
      { weird: true },
      pgError('XX000'),
    ]) {
      const mapped = toAppError(thrown);
      expect(mapped.code).toBe('internal');
      expect(JSON.stringify(buildProblem(mapped.code, { detail: mapped.options.detail }))).not.toMatch(
        /function|secret|weird/,
      );
    }
  });
});
