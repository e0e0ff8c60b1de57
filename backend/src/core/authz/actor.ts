/**
 * The authenticated caller of one request: who they are, why they ask (purpose of use) and what
 * policy lets them do. Services receive an Actor and ask it; they never look at role names.
 */

import type { AuditEventType } from '@custos/audit';
import {
  type Action,
  type AppAbility,
  accessCondition,
  asResource,
  type Condition,
  permissionName,
  pickPermittedFields,
  type RequestContext,
  type ResourceType,
} from '@custos/policies';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/subject-directory.js';
import { AppError } from '../errors/app-error.js';

/** Conditions depend only on the (cached, immutable) ability, so they are computed once per ability. */
const conditionCache = new WeakMap<AppAbility, Map<string, Condition>>();

/** Where a request came from, for its audit events. `auditType` names the event a mutating route records. */
export interface RequestOrigin {
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
  method: string;
  route: string;
  auditType?: AuditEventType;
}

export class Actor {
  constructor(
    readonly principal: Principal,
    readonly context: RequestContext,
    readonly ability: AppAbility,
    readonly origin: RequestOrigin = { requestId: null, ip: null, userAgent: null, method: '', route: '' },
  ) {}

  can(action: Action, type: ResourceType, resource: object): boolean {
    return this.ability.can(action, asResource(type, { ...resource }));
  }

  /** Throws 403 naming the missing permission. */
  assert(action: Action, type: ResourceType, resource: object): void {
    if (!this.can(action, type, resource)) throw AppError.forbidden(permissionName(action, type));
  }

  /** The tenant a new resource goes to: the one named in the request, else the caller's own. */
  tenantFor(requested: string | undefined): string {
    const tenantId = requested ?? this.principal.tenantId;
    if (!tenantId) {
      throw AppError.validation([
        {
          location: 'body',
          path: 'tenantId',
          message: 'Required: the caller belongs to no tenant',
          code: 'invalid_type',
        },
      ]);
    }
    return tenantId;
  }

  /** The rows this actor may act on, as a condition a repository turns into SQL. */
  condition(action: Action, type: ResourceType): Condition {
    let byKey = conditionCache.get(this.ability);
    if (!byKey) {
      byKey = new Map();
      conditionCache.set(this.ability, byKey);
    }
    const key = `${action}:${type}`;
    let condition = byKey.get(key);
    if (!condition) {
      condition = accessCondition(this.ability, action, type);
      byKey.set(key, condition);
    }
    return condition;
  }

  /**
   * Loads one resource to act on: 404 when the actor can neither see it nor act on it (its
   * existence is not revealed), 403 naming the permission when they can see it but not do this.
   * A row reachable only through the action's rule (not readable) may still answer 409 or 412
   * about its state: a rule granting an action without read must be narrow enough for that (see
   * the operator's claim rule in policies/abac.yaml).
   */
  async load<T extends object>(
    action: Action,
    type: ResourceType,
    find: (access: Condition) => Promise<T | null>,
  ): Promise<T> {
    const read = this.condition('read', type);
    const access: Condition =
      action === 'read' ? read : { kind: 'or', items: [read, this.condition(action, type)] };
    const resource = await find(access);
    if (!resource) throw AppError.notFound(type);
    this.assert(action, type, resource);
    return resource;
  }

  /** The resource with the fields this actor may not read removed. */
  visible<T extends object>(type: ResourceType, resource: T): Partial<T> {
    return pickPermittedFields(this.ability, 'read', type, resource);
  }
}

export const ACTOR_KEY = 'custosActor';

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = (context.switchToHttp().getRequest<FastifyRequest>() as unknown as Record<string, unknown>)[
    ACTOR_KEY
  ];
  if (!(actor instanceof Actor)) throw new AppError('unauthenticated');
  return actor;
});
