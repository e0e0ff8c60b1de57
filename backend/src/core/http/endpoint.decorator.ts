/**
 * Declares a route's contract once: the zod schemas here validate the request (RequestValidationGuard)
 * and generate the OpenAPI document, so the two can never disagree.
 */
import type { AuditEventType } from '@custos/audit';
import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { ErrorCode } from '../errors/error-codes.js';

export interface EndpointSpec {
  summary: string;
  description?: string;
  tags: string[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Request headers the route reads (documented; validated when a schema is given). */
  headers?: z.ZodObject;
  response: { status: number; description: string; schema?: z.ZodType; headers?: Record<string, string> };
  /** Failure codes this route can answer with (beyond the ones every route has). */
  errors?: ErrorCode[];
  /** The permission the route needs, as documentation (enforced by the service on the resource). */
  permission?: string;
  /**
   * The audit event this route records. Required on every state-changing route (a test enforces
   * it): a failed or denied attempt is recorded under the same type, with its outcome.
   */
  audit?: AuditEventType;
}

export const ENDPOINT_METADATA = 'custos:endpoint';

export const Endpoint = (spec: EndpointSpec) => SetMetadata(ENDPOINT_METADATA, spec);
