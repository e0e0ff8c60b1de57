/**
 * Deny by default: every route needs a valid bearer token unless marked @Public(). The guard
 * attaches the request's Actor (subject attributes + purpose of use + compiled ability).
 */

import { createHash } from 'node:crypto';
import { type PurposeOfUse, purposesOfUse, type RequestContext } from '@custos/policies';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { ACTOR_KEY, Actor, type RequestOrigin } from '../authz/actor.js';
import { AuthzService } from '../authz/authz.service.js';
import { AppError } from '../errors/app-error.js';
import { ENDPOINT_METADATA, type EndpointSpec } from '../http/endpoint.decorator.js';
import { PUBLIC_ROUTE } from './public.decorator.js';
import { SubjectDirectory } from './subject-directory.js';
import { challenge, type TokenClaims, TokenVerifier } from './token-verifier.js';

export const PURPOSE_HEADER = 'x-purpose-of-use';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(SubjectDirectory) private readonly directory: SubjectDirectory,
    @Inject(AuthzService) private readonly authz: AuthzService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  /** Tokens this instance has already seen: the first request with a new one is the sign-in event. */
  private readonly seen = new WeakSet<TokenClaims>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    const claims = await this.verifier.verify(token);
    const principal = await this.directory.resolve(claims);
    const purpose = purposeOf(request.headers[PURPOSE_HEADER]);
    const requestContext: RequestContext = purpose ? { purpose } : {};
    const spec = this.reflector.get<EndpointSpec | undefined>(ENDPOINT_METADATA, context.getHandler());
    const origin: RequestOrigin = {
      requestId: request.id,
      ip: request.ip ?? null,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      ...(spec?.audit ? { auditType: spec.audit } : {}),
    };
    const ability = this.authz.abilityFor(principal, requestContext);
    const actor = new Actor(principal, requestContext, ability, origin);
    (request as unknown as Record<string, unknown>)[ACTOR_KEY] = actor;
    if (!this.seen.has(claims)) {
      await this.audit.recordDurably(actor, {
        type: 'auth.signed_in',
        resource: { type: 'User', id: principal.userId, tenantId: principal.tenantId },
        payload: {
          clientId: claims.azp ?? null,
          issuer: claims.iss,
          // A digest, never the token: it lets sign-ins be correlated without being replayable.
          tokenId: createHash('sha256').update(token).digest('hex').slice(0, 32),
        },
      });
      this.seen.add(claims);
    }
    return true;
  }
}

export function bearerToken(header: string | undefined): string {
  const match = header ? /^Bearer ([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim()) : null;
  if (!match?.[1]) {
    throw new AppError('unauthenticated', {
      detail: header
        ? 'The Authorization header must be "Bearer <token>".'
        : 'Send an access token as "Authorization: Bearer <token>".',
      headers: challenge(header ? 'invalid_request' : undefined),
    });
  }
  return match[1];
}

export function purposeOf(value: string | string[] | undefined): PurposeOfUse | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (purposesOfUse as readonly string[]).includes(value))
    return value as PurposeOfUse;
  throw AppError.validation([
    {
      location: 'header',
      path: PURPOSE_HEADER,
      message: `Expected one of: ${purposesOfUse.join(', ')}`,
      code: 'invalid_value',
    },
  ]);
}
