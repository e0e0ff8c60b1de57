/** The one exception type services throw: a stable code plus safe, structured details. */
import { type ErrorCode, errorStatus } from './error-codes.js';

export interface FieldError {
  /** Where the bad value was: body, query, params or a header. */
  location: 'body' | 'query' | 'params' | 'header';
  /** Dotted path inside that location (empty for the whole value). */
  path: string;
  message: string;
  code: string;
}

export interface AppErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** Extension members added to the problem document (must never carry personal data). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
  /**
   * The service already recorded this refusal in the audit trail (with more detail than the
   * generic failed-attempt event could carry), so the problem filter records nothing more.
   */
  audited?: boolean;
}

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly options: AppErrorOptions = {},
  ) {
    super(options.detail ?? code, { cause: options.cause });
    this.name = 'AppError';
    this.status = errorStatus[code];
  }

  /** The same error, marked as already in the audit trail. */
  audited(): AppError {
    return new AppError(this.code, { ...this.options, audited: true });
  }

  static notFound(resource: string): AppError {
    return new AppError('not_found', { detail: `${resource} not found.`, extensions: { resource } });
  }

  static forbidden(permission: string): AppError {
    return new AppError('forbidden', {
      detail: `Missing permission ${permission}.`,
      extensions: { permission },
    });
  }

  static validation(errors: FieldError[]): AppError {
    return new AppError('validation_failed', { detail: 'One or more fields are invalid.', errors });
  }
}
