/** /api/v1/privacy/breaches: the breach register and its 72-hour notification clock. */
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
  type Breach,
  breachIdParams,
  breachPageSchema,
  breachViewSchema,
  type CreateBreachBody,
  createBreachBody,
  type ListBreachesQuery,
  listBreachesQuery,
  type UpdateBreachBody,
  updateBreachBody,
} from './breaches.dto.js';
import { BreachesService, withClocks } from './breaches.service.js';

const tags = ['privacy'];

const present = (actor: Actor, reply: FastifyReply, breach: Breach) =>
  withClocks(presentResource(actor, reply, 'Breach', breach), breach);

@Controller('v1/privacy/breaches')
export class BreachesController {
  constructor(@Inject(BreachesService) private readonly breaches: BreachesService) {}

  @Get()
  @Endpoint({
    summary: 'List the breach register',
    description: 'Newest detection first.',
    tags,
    query: listBreachesQuery,
    permission: 'read:Breach',
    response: { status: 200, description: 'A page of breaches', schema: breachPageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListBreachesQuery) {
    return this.breaches.list(actor, query);
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Record a personal data breach',
    description:
      'Starts the 72-hour clock of GDPR art. 33(1) at detectedAt (now unless given; never in the future). The entry gets a reference such as BR-7K3M-Q9XW.',
    tags,
    body: createBreachBody,
    permission: 'create:Breach',
    audit: 'privacy.breach_recorded',
    response: {
      status: 201,
      description: 'The new entry',
      schema: breachViewSchema,
      headers: etagResponseHeader,
    },
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateBreachBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const breach = await this.breaches.create(actor, body);
    reply.header('location', `/api/v1/privacy/breaches/${breach.id}`);
    return present(actor, reply, breach);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a breach',
    tags,
    params: breachIdParams,
    permission: 'read:Breach',
    response: {
      status: 200,
      description: 'The breach',
      schema: breachViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.breaches.get(actor, params.id));
  }

  @Patch(':id')
  @Endpoint({
    summary: 'Update a breach: assessment, measures, status, notifications',
    description:
      'A notification of the authority after notificationDueAt needs lateNotificationReason (422 otherwise). Closing needs an assessed risk and, unless the risk is unlikely, the authority notified (409 otherwise).',
    tags,
    params: breachIdParams,
    headers: ifMatchHeaders,
    body: updateBreachBody,
    permission: 'update:Breach',
    audit: 'privacy.breach_updated',
    response: {
      status: 200,
      description: 'The updated breach',
      schema: breachViewSchema,
      headers: etagResponseHeader,
    },
    errors: [
      'not_found',
      'precondition_required',
      'precondition_failed',
      'late_notification_reason_required',
      'invalid_state_transition',
    ],
  })
  async update(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: UpdateBreachBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.breaches.update(actor, params.id, requireIfMatch(ifMatch), body));
  }
}
