/** /api/v1/privacy/legal-holds */
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
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import { ifMatchHeaders, requireIfMatch } from '../../../core/http/etag.js';
import { etagResponseHeader, presentResource } from '../../../core/http/present.js';
import {
  type CreateLegalHoldBody,
  createLegalHoldBody,
  type LegalHold,
  type ListLegalHoldsQuery,
  legalHoldIdParams,
  legalHoldPageSchema,
  legalHoldViewSchema,
  listLegalHoldsQuery,
  type ReleaseLegalHoldBody,
  releaseLegalHoldBody,
  type UpdateLegalHoldBody,
  updateLegalHoldBody,
} from './legal-holds.dto.js';
import { LegalHoldsService } from './legal-holds.service.js';

const tags = ['privacy'];
const present = (actor: Actor, reply: FastifyReply, hold: LegalHold) =>
  presentResource(actor, reply, 'LegalHold', hold);
const changed = { status: 200, schema: legalHoldViewSchema, headers: etagResponseHeader };

@Controller('v1/privacy/legal-holds')
export class LegalHoldsController {
  constructor(@Inject(LegalHoldsService) private readonly holds: LegalHoldsService) {}

  @Get()
  @Endpoint({
    summary: 'List legal holds',
    tags,
    query: listLegalHoldsQuery,
    permission: 'read:LegalHold',
    response: {
      status: 200,
      description: 'A page of legal holds, newest first',
      schema: legalHoldPageSchema,
    },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListLegalHoldsQuery) {
    return this.holds.list(actor, query);
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Place a legal hold',
    description:
      'Keeps the data of a tenant, site, device or data subject (optionally only some data-map categories) ' +
      'from retention and erasure until released. What a hold covers cannot change after it is placed.',
    tags,
    body: createLegalHoldBody,
    permission: 'create:LegalHold',
    audit: 'privacy.legal_hold_placed',
    response: {
      status: 201,
      description: 'The new hold',
      schema: legalHoldViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['invalid_reference'],
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateLegalHoldBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const hold = await this.holds.create(actor, body);
    reply.header('location', `/api/v1/privacy/legal-holds/${hold.id}`);
    return present(actor, reply, hold);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a legal hold',
    tags,
    params: legalHoldIdParams,
    permission: 'read:LegalHold',
    response: {
      status: 200,
      description: 'The hold',
      schema: legalHoldViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.holds.get(actor, params.id));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Change a legal hold’s reason, matter or owner',
    tags,
    params: legalHoldIdParams,
    headers: ifMatchHeaders,
    body: updateLegalHoldBody,
    permission: 'update:LegalHold',
    audit: 'privacy.legal_hold_updated',
    response: { ...changed, description: 'The changed hold' },
    errors: [
      'not_found',
      'precondition_required',
      'precondition_failed',
      'invalid_reference',
      'invalid_state_transition',
    ],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateLegalHoldBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.holds.update(actor, params.id, requireIfMatch(ifMatch), body));
  }

  @Post(':id/release')
  @HttpCode(200)
  @Endpoint({
    summary: 'Release a legal hold',
    description:
      'Final: a released hold cannot be changed or placed again. The next retention run removes what it kept.',
    tags,
    params: legalHoldIdParams,
    headers: ifMatchHeaders,
    body: releaseLegalHoldBody,
    permission: 'update:LegalHold',
    audit: 'privacy.legal_hold_released',
    response: { ...changed, description: 'The released hold' },
    errors: ['not_found', 'precondition_required', 'precondition_failed', 'invalid_state_transition'],
  })
  async release(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: ReleaseLegalHoldBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.holds.release(actor, params.id, requireIfMatch(ifMatch), body));
  }
}
