/**
 * Device claiming: the claim code printed on a device (/devices/{id}/claim-code), redeeming it
 * (/claims), and what only the current owner may do afterwards (/devices/{id}/transfer, /unclaim).
 */
import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import { ifMatchHeaders, optionalIfMatch } from '../../../core/http/etag.js';
import { etagResponseHeader, presentResource } from '../../../core/http/present.js';
import { deviceIdParams, deviceViewSchema } from '../devices.dto.js';
import { ClaimCodesService } from './claim-codes.service.js';
import {
  claimCodeSchema,
  type RedeemClaimBody,
  redeemClaimBody,
  type TransferDeviceBody,
  transferDeviceBody,
} from './claiming.dto.js';
import { DeviceOwnershipService } from './device-ownership.service.js';

const tags = ['device claiming'];
const noBody = z.strictObject({}).optional().describe('No body (an empty object is accepted)');
const deviceResponse = (description: string) => ({
  status: 200,
  description,
  schema: deviceViewSchema,
  headers: etagResponseHeader,
});

@Controller('v1')
export class ClaimingController {
  constructor(
    @Inject(ClaimCodesService) private readonly codes: ClaimCodesService,
    @Inject(DeviceOwnershipService) private readonly ownership: DeviceOwnershipService,
  ) {}

  @Post('devices/:id/claim-code')
  @HttpCode(201)
  @Endpoint({
    summary: 'Issue a one-time claim code for a device’s sticker',
    description:
      'For a manufactured or provisioned device. The code and the claim URL (what the QR code encodes) are in this answer only: the platform keeps a salted hash. Any earlier code of the device stops working.',
    tags,
    params: deviceIdParams,
    body: noBody,
    permission: 'provision:Device',
    audit: 'device.claim_code_issued',
    response: { status: 201, description: 'The new code', schema: claimCodeSchema },
    errors: ['not_found', 'invalid_state_transition'],
  })
  issue(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return this.codes.issue(actor, params.id);
  }

  @Post('claims')
  @HttpCode(200)
  @Endpoint({
    summary: 'Claim a provisioned device of your tenant into a site, with its claim code',
    description:
      'Looks the serial number up in your own tenant only. An unknown serial number, a device of another tenant, and a wrong, used, replaced or expired code all answer the same 422 `invalid_claim_code`. Five wrong codes lock the device for 15 minutes; twenty failures in an hour block the caller: 429 `too_many_attempts` with `Retry-After`.',
    tags,
    body: redeemClaimBody,
    permission: 'claim:Device',
    audit: 'device.claim_code_redeemed',
    response: deviceResponse('The claimed device'),
    errors: ['invalid_claim_code', 'too_many_attempts', 'invalid_state_transition', 'invalid_reference'],
  })
  async redeem(
    @CurrentActor() actor: Actor,
    @Body() body: RedeemClaimBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return presentResource(actor, reply, 'Device', await this.codes.redeem(actor, body));
  }

  @Post('devices/:id/transfer')
  @HttpCode(200)
  @Endpoint({
    summary: 'Move a claimed device to another site of its tenant',
    description:
      'Only its current owner: whoever may update (or claim) the device where it is now. The target site must be readable to you. If-Match is optional; when sent, it must match.',
    tags,
    params: deviceIdParams,
    headers: ifMatchHeaders,
    body: transferDeviceBody,
    permission: 'update:Device',
    audit: 'device.transferred',
    response: deviceResponse('The device in its new site'),
    errors: ['not_found', 'invalid_state_transition', 'invalid_reference', 'conflict', 'precondition_failed'],
  })
  async transfer(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: TransferDeviceBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const device = await this.ownership.transfer(actor, params.id, body.siteId, optionalIfMatch(ifMatch));
    return presentResource(actor, reply, 'Device', device);
  }

  @Post('devices/:id/unclaim')
  @HttpCode(200)
  @Endpoint({
    summary: 'Release a claimed or suspended device from its site (back to provisioned)',
    description:
      'Only its current owner (as for transfer). The device loses its site and any patient assignment, and every claim code issued for it stops working: claiming it again needs a new code. Suspend an active device first. If-Match is optional; when sent, it must match.',
    tags,
    params: deviceIdParams,
    headers: ifMatchHeaders,
    body: noBody,
    permission: 'update:Device',
    audit: 'device.unclaimed',
    response: deviceResponse('The released device'),
    errors: ['not_found', 'invalid_state_transition', 'precondition_failed'],
  })
  async unclaim(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const device = await this.ownership.unclaim(actor, params.id, optionalIfMatch(ifMatch));
    return presentResource(actor, reply, 'Device', device);
  }
}
