/** RFC 9457 problem documents. */
import type { FieldError } from './app-error.js';
import { type ErrorCode, errorStatus, errorTitle } from './error-codes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const problemType = (code: ErrorCode) => `urn:custos:problem:${code}`;

export function buildProblem(
  code: ErrorCode,
  init: {
    detail?: string;
    instance?: string;
    requestId?: string;
    errors?: FieldError[];
    extensions?: Record<string, unknown>;
  } = {},
): Problem {
  const standard = {
    type: problemType(code),
    title: errorTitle[code],
    status: errorStatus[code],
    code,
    ...(init.detail ? { detail: init.detail } : {}),
    ...(init.instance ? { instance: init.instance } : {}),
    ...(init.requestId ? { requestId: init.requestId } : {}),
    ...(init.errors ? { errors: init.errors } : {}),
  };
  // Extensions follow the standard members and can never overwrite them.
  return { ...standard, ...init.extensions, ...standard };
}
