/**
 * Validates params, query, headers and body against the route's zod schemas before the handler
 * runs. A guard rather than an interceptor: it runs after the AuthGuard (401 comes before 400), and
 * with no interceptor registered Nest skips its RxJS pipeline on every request.
 */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, type FieldError } from '../errors/app-error.js';
import { ENDPOINT_METADATA, type EndpointSpec } from './endpoint.decorator.js';

type Location = FieldError['location'];

function check(
  schema: z.ZodType | undefined,
  value: unknown,
  location: Location,
  errors: FieldError[],
): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    errors.push({
      location,
      path: issue.path.map(String).join('.'),
      message: issue.message,
      code: issue.code,
    });
  }
  return undefined;
}

/**
 * Text PostgreSQL cannot store as sent: NUL characters (refused by text and jsonb) and lone UTF-16
 * surrogates (silently replaced by U+FFFD when encoded as UTF-8). Checked for every string in the
 * request, keys included, so no schema can forget it and nothing is stored other than what was sent.
 */
function unstorableText(
  value: unknown,
  location: Location,
  path: string[],
  errors: FieldError[],
  depth = 0,
): void {
  if (depth > 32 || errors.length >= 20) return;
  const bad = (s: string) => s.includes('\u0000') || !s.isWellFormed();
  if (typeof value === 'string') {
    if (bad(value)) {
      errors.push({
        location,
        path: path.join('.'),
        message: 'Contains a NUL character or malformed Unicode',
        code: 'invalid_text',
      });
    }
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries())
      unstorableText(item, location, [...path, String(i)], errors, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (bad(key)) {
        errors.push({
          location,
          path: [...path, key].join('.'),
          message: 'The key contains a NUL character or malformed Unicode',
          code: 'invalid_text',
        });
      } else {
        unstorableText(item, location, [...path, key], errors, depth + 1);
      }
    }
  }
}

@Injectable()
export class RequestValidationGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const spec = this.reflector.get<EndpointSpec | undefined>(ENDPOINT_METADATA, context.getHandler());
    if (spec) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const errors: FieldError[] = [];
      unstorableText(request.params, 'params', [], errors);
      unstorableText(request.query, 'query', [], errors);
      unstorableText(request.body, 'body', [], errors);
      if (errors.length > 0) throw AppError.validation(errors);
      const params = check(spec.params, request.params ?? {}, 'params', errors);
      const query = check(spec.query, request.query ?? {}, 'query', errors);
      check(spec.headers, request.headers, 'header', errors);
      const body = check(spec.body, request.body, 'body', errors);
      if (errors.length > 0) throw AppError.validation(errors);
      // Handlers read the parsed (typed, coerced, defaulted) values through @Param/@Query/@Body.
      Object.assign(request, { params, query, body });
    }
    return true;
  }
}
