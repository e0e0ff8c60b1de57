/**
 * The person using the public portal, as an Actor: nobody signed in, no roles and so no permission,
 * but a request id, an address and a user agent for the audit trail. Once their request is known the
 * trail names them by it (`requester:DSR-…`), never by their e-mail address.
 */
import type { FastifyRequest } from 'fastify';
import { Actor, type RequestOrigin } from '../../../core/authz/actor.js';
import type { AuthzService } from '../../../core/authz/authz.service.js';

export function originOf(request: FastifyRequest): RequestOrigin {
  return {
    requestId: request.id,
    ip: request.ip ?? null,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
  };
}

export function requesterActor(
  authz: AuthzService,
  origin: RequestOrigin,
  tenantId: string | null,
  reference: string | null,
): Actor {
  const id = reference ? `requester:${reference}` : 'requester';
  const principal = {
    userId: id,
    externalId: id,
    username: id,
    roles: [],
    tenantId,
    siteIds: [],
    patientIds: [],
    subjectPatientId: null,
  };
  return new Actor(principal, {}, authz.abilityFor(principal, {}), origin);
}
