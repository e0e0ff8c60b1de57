/** /api/v1/sites */
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
  type CreateSiteBody,
  createSiteBody,
  type ListSitesQuery,
  listSitesQuery,
  type Site,
  siteIdParams,
  sitePageSchema,
  siteViewSchema,
  type UpdateSiteBody,
  updateSiteBody,
} from './sites.dto.js';
import { SitesService } from './sites.service.js';

const tags = ['sites'];

const present = (actor: Actor, reply: FastifyReply, site: Site) =>
  presentResource(actor, reply, 'Site', site);

@Controller('v1/sites')
export class SitesController {
  constructor(@Inject(SitesService) private readonly sites: SitesService) {}

  @Get()
  @Endpoint({
    summary: 'List sites',
    tags,
    query: listSitesQuery,
    permission: 'read:Site',
    response: { status: 200, description: 'A page of sites', schema: sitePageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListSitesQuery) {
    return this.sites.list(actor, query);
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Create a site',
    tags,
    body: createSiteBody,
    permission: 'create:Site',
    audit: 'site.created',
    response: {
      status: 201,
      description: 'The new site',
      schema: siteViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['conflict', 'invalid_reference'],
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateSiteBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const site = await this.sites.create(actor, body);
    reply.header('location', `/api/v1/sites/${site.id}`);
    return present(actor, reply, site);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a site',
    tags,
    params: siteIdParams,
    permission: 'read:Site',
    response: { status: 200, description: 'The site', schema: siteViewSchema, headers: etagResponseHeader },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.sites.get(actor, params.id));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Rename a site or change its time zone',
    tags,
    params: siteIdParams,
    headers: ifMatchHeaders,
    body: updateSiteBody,
    permission: 'update:Site',
    audit: 'site.updated',
    response: {
      status: 200,
      description: 'The updated site',
      schema: siteViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found', 'precondition_required', 'precondition_failed'],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateSiteBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.sites.update(actor, params.id, requireIfMatch(ifMatch), body));
  }
}
