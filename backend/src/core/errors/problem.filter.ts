/** Every failure leaves the API as RFC 9457 problem+json with a stable code; 5xx are logged without personal data. */
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { loggableError } from '../logging/logger.js';
import type { AppError } from './app-error.js';
import { buildProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { toAppError } from './to-app-error.js';

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  logger: Logger,
): FastifyReply {
  const appError: AppError = toAppError(error);
  if (appError.status >= 500) {
    logger.error({ requestId: request.id, code: appError.code, err: loggableError(error) }, 'request failed');
  }
  const problem = buildProblem(appError.code, {
    detail: appError.options.detail,
    requestId: request.id,
    errors: appError.options.errors,
    extensions: appError.options.extensions,
  });
  return reply
    .status(appError.status)
    .header('x-request-id', request.id)
    .headers(appError.options.headers ?? {})
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}

/** Called before an error response is sent (the audit trail records denied and failed attempts). */
export type ProblemHook = (request: FastifyRequest, error: AppError) => Promise<void>;

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly beforeSend?: ProblemHook,
  ) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (this.beforeSend) {
      try {
        await this.beforeSend(request, toAppError(exception));
      } catch (error) {
        // The caller still gets their answer; the failure to record is logged and alerted on.
        this.logger.error(
          { requestId: request.id, err: loggableError(error) },
          'could not record a failed attempt',
        );
      }
    }
    sendProblem(request, http.getResponse<FastifyReply>(), exception, this.logger);
  }
}
