/** /api/v1/users: people known to Custos, synchronised from the identity provider on first sight. */
import { Body, Controller, Get, Headers, Inject, Param, Patch, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../core/authz/actor.js';
import { AuthzService } from '../../core/authz/authz.service.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import { ifMatchHeaders, requireIfMatch } from '../../core/http/etag.js';
import { etagResponseHeader, presentResource } from '../../core/http/present.js';
import { permissionsOf, permissionsSchema } from './permissions.js';
import {
  type ListUsersQuery,
  listUsersQuery,
  type UpdateUserBody,
  type User,
  updateUserBody,
  userIdParams,
  userPageSchema,
  userViewSchema,
} from './users.dto.js';
import { UsersService } from './users.service.js';

const tags = ['users'];

const present = (actor: Actor, reply: FastifyReply, user: User) =>
  presentResource(actor, reply, 'User', user);

@Controller('v1/users')
export class UsersController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AuthzService) private readonly authz: AuthzService,
  ) {}

  @Get()
  @Endpoint({
    summary: 'List users',
    tags,
    query: listUsersQuery,
    permission: 'read:User',
    response: { status: 200, description: 'A page of users', schema: userPageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListUsersQuery) {
    return this.users.list(actor, query);
  }

  @Get('me')
  @Endpoint({
    summary: 'The signed-in user',
    tags,
    permission: 'read:User',
    response: {
      status: 200,
      description: 'The caller’s own user record',
      schema: userViewSchema,
      headers: etagResponseHeader,
    },
  })
  async me(@CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply) {
    return present(actor, reply, await this.users.get(actor, actor.principal.userId));
  }

  @Get('me/permissions')
  @Endpoint({
    summary: 'What the signed-in user may do',
    description:
      'Roles and attributes, the policy rules that apply to them (placeholders kept), and the actions held on each resource type in this request’s purpose of use. Interfaces show menus and actions from this, not from role names.',
    tags,
    response: { status: 200, description: 'The caller’s permissions', schema: permissionsSchema },
  })
  permissions(@CurrentActor() actor: Actor) {
    return permissionsOf(actor, this.authz.policies);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a user',
    tags,
    params: userIdParams,
    permission: 'read:User',
    response: { status: 200, description: 'The user', schema: userViewSchema, headers: etagResponseHeader },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.users.get(actor, params.id));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Change a user’s display name or organisational attributes',
    description: 'Roles, tenant and sites come from the identity provider and change there.',
    tags,
    params: userIdParams,
    headers: ifMatchHeaders,
    body: updateUserBody,
    permission: 'update:User',
    audit: 'user.updated',
    response: {
      status: 200,
      description: 'The updated user',
      schema: userViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found', 'precondition_required', 'precondition_failed'],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateUserBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.users.update(actor, params.id, requireIfMatch(ifMatch), body));
  }
}
