/** /api/v1/tenants */
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../core/authz/actor.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import { ifMatchHeaders, requireIfMatch } from '../../core/http/etag.js';
import { etagResponseHeader, presentResource } from '../../core/http/present.js';
import {
  type CreateTenantBody,
  createTenantBody,
  type ListTenantsQuery,
  listTenantsQuery,
  type Tenant,
  tenantIdParams,
  tenantPageSchema,
  tenantViewSchema,
  type UpdateTenantBody,
  updateTenantBody,
} from './tenants.dto.js';
import { TenantsService } from './tenants.service.js';

const tags = ['tenants'];

const present = (actor: Actor, reply: FastifyReply, tenant: Tenant) =>
  presentResource(actor, reply, 'Tenant', tenant);

@Controller('v1/tenants')
export class TenantsController {
  constructor(@Inject(TenantsService) private readonly tenants: TenantsService) {}

  @Get()
  @Endpoint({
    summary: 'List tenants',
    tags,
    query: listTenantsQuery,
    permission: 'read:Tenant',
    response: { status: 200, description: 'A page of tenants', schema: tenantPageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListTenantsQuery) {
    return this.tenants.list(actor, query);
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Create a tenant',
    tags,
    body: createTenantBody,
    permission: 'create:Tenant',
    audit: 'tenant.created',
    response: {
      status: 201,
      description: 'The new tenant',
      schema: tenantViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['conflict'],
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateTenantBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const tenant = await this.tenants.create(actor, body);
    reply.header('location', `/api/v1/tenants/${tenant.id}`);
    return present(actor, reply, tenant);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a tenant',
    tags,
    params: tenantIdParams,
    permission: 'read:Tenant',
    response: {
      status: 200,
      description: 'The tenant',
      schema: tenantViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.tenants.get(actor, params.id));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Rename a tenant',
    tags,
    params: tenantIdParams,
    headers: ifMatchHeaders,
    body: updateTenantBody,
    permission: 'update:Tenant',
    audit: 'tenant.updated',
    response: {
      status: 200,
      description: 'The updated tenant',
      schema: tenantViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found', 'precondition_required', 'precondition_failed'],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateTenantBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.tenants.update(actor, params.id, requireIfMatch(ifMatch), body));
  }
}
