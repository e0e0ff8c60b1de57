/** /api/v1/devices/{id}/certificates: the device's identity certificates. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import { commandSchema } from '../commands/commands.dto.js';
import { deviceIdParams } from '../devices.dto.js';
import {
  certificateParams,
  deviceCertificateListSchema,
  deviceCertificateSchema,
  type IssueCertificateBody,
  issueCertificateBody,
  issuedCertificateSchema,
  type RevokeCertificateBody,
  revokeCertificateBody,
} from './device-certificates.dto.js';
import { DeviceCertificatesService } from './device-certificates.service.js';
import { DeviceRevocation } from './device-revocation.js';

const tags = ['device certificates'];

@Controller('v1/devices/:id/certificates')
export class DeviceCertificatesController {
  constructor(
    @Inject(DeviceCertificatesService) private readonly service: DeviceCertificatesService,
    @Inject(DeviceRevocation) private readonly revocation: DeviceRevocation,
  ) {}

  @Get()
  @Endpoint({
    summary: 'List a device’s certificates',
    description: 'Every certificate the device CA issued to the device, with its status.',
    tags,
    params: deviceIdParams,
    permission: 'read:Device',
    response: { status: 200, description: 'The certificates', schema: deviceCertificateListSchema },
    errors: ['not_found'],
  })
  async list(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return { items: await this.service.list(actor, params.id) };
  }

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Provision a manufactured device: certify the key its secure element generated',
    description:
      'Factory step. The CSR must be signed by the device’s own ECDSA P-256 key and name the device id as its CN. The device CA issues a client certificate (CN = device id), and the device becomes `provisioned`.',
    tags,
    params: deviceIdParams,
    body: issueCertificateBody,
    permission: 'provision:Device',
    audit: 'device.certificate_issued',
    response: { status: 201, description: 'The certificate and its chain', schema: issuedCertificateSchema },
    errors: ['not_found', 'invalid_csr', 'invalid_state_transition', 'conflict'],
  })
  provision(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string },
    @Body() body: IssueCertificateBody,
  ) {
    return this.service.provision(actor, params.id, body.csr);
  }

  @Post('rotate')
  @HttpCode(202)
  @Endpoint({
    summary: 'Rotate a device’s certificate now',
    description:
      'Asks the device for a new CSR from its chip (`renew-certificate`); the platform then issues and sends the new certificate (`install-certificate`) and revokes the old ones as superseded once the device uses it. Rotation also starts by itself DEVICE_CERT_RENEW_BEFORE_DAYS before expiry. Answers with the first command, to follow under /commands.',
    tags,
    params: deviceIdParams,
    body: z.strictObject({}).optional().describe('No body'),
    permission: 'provision:Device',
    audit: 'device.command_requested',
    response: { status: 202, description: 'The renewal command', schema: commandSchema },
    errors: ['not_found', 'invalid_state_transition'],
  })
  rotate(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return this.service.rotate(actor, params.id);
  }

  @Post(':serialNumber/revoke')
  @HttpCode(200)
  @Endpoint({
    summary: 'Revoke a device certificate',
    description:
      'Final. The certificate enters the CRL, the broker refuses it from the next connection, and the device’s open session is dropped now.',
    tags,
    params: certificateParams,
    body: revokeCertificateBody,
    permission: 'revoke:Device',
    audit: 'device.certificate_revoked',
    response: { status: 200, description: 'The revoked certificate', schema: deviceCertificateSchema },
    errors: ['not_found', 'invalid_state_transition'],
  })
  revoke(
    @CurrentActor() actor: Actor,
    @Param() params: { id: string; serialNumber: string },
    @Body() body: RevokeCertificateBody,
  ) {
    return this.revocation.revoke(actor, params.id, params.serialNumber, body.reason);
  }
}
