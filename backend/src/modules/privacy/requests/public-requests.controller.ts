/**
 * /api/v1/privacy/portal: the public data-subject request portal, reachable without a session by
 * design (listed in tests/api/route-inventory.test.ts): anyone may file a request with a tenant. A
 * requester proves they read the mailbox they gave with a one-time code; the access token that
 * buys them opens their request's status page (X-Request-Token).
 */
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../core/auth/public.decorator.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import {
  accessTokenSchema,
  type FileRequestBody,
  filedSchema,
  fileRequestBody,
  portalInfoSchema,
  portalStatusSchema,
  referenceParams,
  requestTokenHeaders,
  tenantSlugParams,
  verificationBody,
} from './portal.dto.js';
import { PortalIntakeService } from './portal-intake.service.js';
import { PortalStatusService } from './portal-status.service.js';
import { originOf } from './requester.js';
import { noBody } from './requests.dto.js';

const tags = ['privacy portal'];

@Controller('v1/privacy/portal')
export class PublicRequestsController {
  constructor(
    @Inject(PortalIntakeService) private readonly intake: PortalIntakeService,
    @Inject(PortalStatusService) private readonly portal: PortalStatusService,
  ) {}

  @Public()
  @Get(':tenantSlug')
  @Endpoint({
    summary: 'What a tenant’s request portal offers',
    description:
      'Jurisdictions with their deadlines, the rights one may exercise and the purposes one may object to.',
    tags,
    params: tenantSlugParams,
    response: { status: 200, description: 'The portal', schema: portalInfoSchema },
    errors: ['not_found'],
  })
  info(@Param() params: { tenantSlug: string }) {
    return this.portal.info(params.tenantSlug);
  }

  @Public()
  @Post(':tenantSlug/requests')
  @HttpCode(202)
  @Endpoint({
    summary: 'File a data-subject request',
    description:
      'Mails a 6-digit one-time code to the address given (valid PRIVACY_CODE_VALIDITY_MINUTES). At most 3 requests per address and hour.',
    tags,
    params: tenantSlugParams,
    body: fileRequestBody,
    audit: 'privacy.request_filed',
    response: { status: 202, description: 'Received; a code was sent', schema: filedSchema },
    errors: ['not_found', 'too_many_attempts'],
  })
  file(
    @Param() params: { tenantSlug: string },
    @Body() body: FileRequestBody,
    @Req() request: FastifyRequest,
  ) {
    return this.intake.file(params.tenantSlug, body, originOf(request));
  }

  @Public()
  @Post('requests/:reference/code')
  @HttpCode(202)
  @Endpoint({
    summary: 'Send a new one-time code',
    description: 'The same answer whether or not the reference exists. At most 5 per reference and hour.',
    tags,
    params: referenceParams,
    body: noBody,
    audit: 'privacy.request_code_sent',
    response: { status: 202, description: 'A code was sent if the reference exists' },
    errors: ['too_many_attempts'],
  })
  async code(@Param() params: { reference: string }, @Req() request: FastifyRequest) {
    await this.intake.resendCode(params.reference, originOf(request));
    return {};
  }

  @Public()
  @Post('requests/:reference/verification')
  @HttpCode(200)
  @Endpoint({
    summary: 'Check a one-time code; get an access token for the status page',
    description:
      'A wrong or expired code, and an unknown reference, are all 422 invalid_code with attemptsLeft; after 5 wrong codes for a reference in an hour, 429.',
    tags,
    params: referenceParams,
    body: verificationBody,
    audit: 'privacy.identity_verified',
    response: { status: 200, description: 'The access token', schema: accessTokenSchema },
    errors: ['invalid_code', 'too_many_attempts'],
  })
  verify(
    @Param() params: { reference: string },
    @Body() body: { code: string },
    @Req() request: FastifyRequest,
  ) {
    return this.intake.verify(params.reference, body.code, originOf(request));
  }

  @Public()
  @Get('requests/:reference')
  @Endpoint({
    summary: 'A request’s status, for its requester',
    description: 'Needs X-Request-Token; a missing or wrong token is 404, like an unknown reference.',
    tags,
    params: referenceParams,
    headers: requestTokenHeaders,
    response: { status: 200, description: 'The request', schema: portalStatusSchema },
    errors: ['not_found'],
  })
  status(@Param() params: { reference: string }, @Headers('x-request-token') token: string | undefined) {
    return this.portal.status(params.reference, token);
  }

  @Public()
  @Get('requests/:reference/result')
  @Endpoint({
    summary: 'Download the result of an access or portability request',
    description: 'Needs X-Request-Token. A zip archive; recorded in the audit trail.',
    tags,
    params: referenceParams,
    headers: requestTokenHeaders,
    response: { status: 200, description: 'The archive (application/zip)' },
    errors: ['not_found'],
  })
  async result(
    @Param() params: { reference: string },
    @Headers('x-request-token') token: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { file, bytes, stream } = await this.portal.result(params.reference, token, originOf(request));
    return reply
      .type(file.contentType)
      .header('content-length', String(bytes))
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(stream);
  }
}
