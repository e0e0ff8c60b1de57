/** /api/v1/privacy/requests: data-subject requests for signed-in people (officers, and subjects filing their own). */
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import { etagFor, ifMatchHeaders, requireIfMatch } from '../../../core/http/etag.js';
import { etagResponseHeader } from '../../../core/http/present.js';
import { RequestFilingService } from './request-filing.service.js';
import { RequestQueriesService } from './request-queries.service.js';
import { officerView } from './request-views.js';
import { RequestWorkflowService } from './request-workflow.service.js';
import {
  assignBody,
  type CreateRequestBody,
  createRequestBody,
  type ListRequestsQuery,
  listRequestsQuery,
  noBody,
  reasonBody,
  requestDetailSchema,
  requestIdParams,
  requestPageSchema,
  requestViewSchema,
  type VerifyIdentityBody,
  verifyIdentityBody,
} from './requests.dto.js';
import type { PrivacyRequestRecord } from './requests.repository.js';

const tags = ['privacy requests'];
const stepErrors = [
  'not_found',
  'precondition_required',
  'precondition_failed',
  'invalid_state_transition',
] as const;

const present = (actor: Actor, reply: FastifyReply, request: PrivacyRequestRecord) => {
  reply.header('etag', etagFor(request.version));
  return officerView(actor, request);
};

/** What every officer step answers: the request as it now stands, with its new ETag. */
const stepResponse = {
  status: 200,
  description: 'The request',
  schema: requestViewSchema,
  headers: etagResponseHeader,
} as const;

@Controller('v1/privacy/requests')
export class PrivacyRequestsController {
  constructor(
    @Inject(RequestFilingService) private readonly filing: RequestFilingService,
    @Inject(RequestQueriesService) private readonly queries: RequestQueriesService,
    @Inject(RequestWorkflowService) private readonly workflow: RequestWorkflowService,
  ) {}

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'File a request (about yourself, or on someone’s behalf)',
    description:
      'A signed-in data subject files about their own account (identity verified by signing in). A privacy officer files on someone’s behalf (phone, letter), may link the subject, and with verifyIdentity confirms their identity at once.',
    tags,
    body: createRequestBody,
    permission: 'create:PrivacyRequest',
    audit: 'privacy.request_filed',
    response: {
      status: 201,
      description: 'The request',
      schema: requestViewSchema,
      headers: etagResponseHeader,
    },
    errors: ['invalid_reference'],
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateRequestBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const request = await this.filing.create(actor, body);
    reply.header('location', `/api/v1/privacy/requests/${request.id}`);
    return present(actor, reply, request);
  }

  @Get()
  @Endpoint({
    summary: 'List requests (the officer’s queue, or your own)',
    description:
      'sort=dueAt: by effective due date, soonest first; sort=-receivedAt: newest first. overdue=true: open and past due.',
    tags,
    query: listRequestsQuery,
    permission: 'read:PrivacyRequest',
    response: { status: 200, description: 'A page of requests', schema: requestPageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListRequestsQuery) {
    return this.queries.list(actor, query);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read a request, with its history, job and result',
    tags,
    params: requestIdParams,
    permission: 'read:PrivacyRequest',
    response: {
      status: 200,
      description: 'The request',
      schema: requestDetailSchema,
      headers: etagResponseHeader,
    },
    errors: ['not_found'],
  })
  async get(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { request, view } = await this.queries.get(actor, params.id);
    reply.header('etag', etagFor(request.version));
    return view;
  }

  @Get(':id/result')
  @Endpoint({
    summary: 'Download the result of an access or portability request',
    tags,
    params: requestIdParams,
    // Reading a request shows its status; downloading the bundle hands over the subject's data.
    permission: 'export:PrivacyRequest',
    response: { status: 200, description: 'The archive (application/zip)' },
    errors: ['not_found', 'forbidden'],
  })
  async result(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Res() reply: FastifyReply) {
    const { file, bytes, stream } = await this.queries.result(actor, params.id);
    return reply
      .type(file.contentType)
      .header('content-length', String(bytes))
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(stream);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Endpoint({
    summary: 'Assign a request to someone who may work it',
    tags,
    params: requestIdParams,
    headers: ifMatchHeaders,
    body: assignBody,
    permission: 'update:PrivacyRequest',
    audit: 'privacy.request_assigned',
    response: stepResponse,
    errors: [...stepErrors, 'invalid_reference'],
  })
  async assign(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: { assigneeId: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(
      actor,
      reply,
      await this.workflow.assign(actor, params.id, requireIfMatch(ifMatch), body.assigneeId),
    );
  }

  @Post(':id/verify-identity')
  @HttpCode(200)
  @Endpoint({
    summary: 'Verify the requester’s identity and link the data subject',
    description:
      'received → identity-verified. Refused unless the requester confirmed their address with a code, or the officer verified them and sends method "officer".',
    tags,
    params: requestIdParams,
    headers: ifMatchHeaders,
    body: verifyIdentityBody,
    permission: 'update:PrivacyRequest',
    audit: 'privacy.identity_verified',
    response: stepResponse,
    errors: [...stepErrors, 'invalid_reference'],
  })
  async verifyIdentity(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: VerifyIdentityBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(
      actor,
      reply,
      await this.workflow.verifyIdentity(actor, params.id, requireIfMatch(ifMatch), body),
    );
  }

  @Post(':id/extend')
  @HttpCode(200)
  @Endpoint({
    summary: 'Extend the deadline once (the reason is mailed to the requester)',
    tags,
    params: requestIdParams,
    headers: ifMatchHeaders,
    body: reasonBody,
    permission: 'update:PrivacyRequest',
    audit: 'privacy.request_extended',
    response: stepResponse,
    errors: [...stepErrors],
  })
  async extend(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: { reason: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(
      actor,
      reply,
      await this.workflow.extend(actor, params.id, requireIfMatch(ifMatch), body.reason),
    );
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Endpoint({
    summary: 'Refuse a request (the reason and the right to complain are mailed to the requester)',
    tags,
    params: requestIdParams,
    headers: ifMatchHeaders,
    body: reasonBody,
    permission: 'update:PrivacyRequest',
    audit: 'privacy.request_rejected',
    response: stepResponse,
    errors: [...stepErrors],
  })
  async reject(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: { reason: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(
      actor,
      reply,
      await this.workflow.reject(actor, params.id, requireIfMatch(ifMatch), body.reason),
    );
  }

  @Post(':id/process')
  @HttpCode(202)
  @Endpoint({
    summary: 'Carry the request out (a background job)',
    description:
      'identity-verified or extended → in-progress; needs a linked subject. Follow the job in GET /{id}.',
    tags,
    params: requestIdParams,
    headers: ifMatchHeaders,
    body: noBody,
    permission: 'update:PrivacyRequest',
    audit: 'privacy.request_started',
    response: {
      status: 202,
      description: 'Processing',
      schema: requestViewSchema,
      headers: etagResponseHeader,
    },
    errors: [...stepErrors],
  })
  async process(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return present(actor, reply, await this.workflow.process(actor, params.id, requireIfMatch(ifMatch)));
  }
}
