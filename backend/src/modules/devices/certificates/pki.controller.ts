/**
 * /api/v1/pki: what brokers and devices need to trust the device PKI, public by design (it holds
 * no secret and no tenant data): the CA chain, and the CRL that EMQX fetches from the CRL
 * distribution point of the device certificates.
 */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../core/auth/public.decorator.js';
import { CERTIFICATE_AUTHORITY } from '../../../core/core.tokens.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import type { CertificateAuthority } from '../../../core/pki/certificate-authority.js';
import { DeviceRevocation } from './device-revocation.js';

const tags = ['device certificates'];

@Controller('v1/pki')
export class PkiController {
  constructor(
    @Inject(CERTIFICATE_AUTHORITY) private readonly ca: CertificateAuthority,
    @Inject(DeviceRevocation) private readonly revocation: DeviceRevocation,
  ) {}

  @Public()
  @Get('ca')
  @Endpoint({
    summary: 'The device CA chain (issuing CA, then root), PEM',
    tags,
    response: { status: 200, description: 'PEM certificates (application/pem-certificate-chain)' },
  })
  chain(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.type('application/pem-certificate-chain');
    return this.ca.chainPem;
  }

  @Public()
  @Get('crl')
  @Endpoint({
    summary: 'The device certificate revocation list (DER)',
    description: 'Signed by the issuing CA; lists every revoked device certificate that has not expired.',
    tags,
    response: { status: 200, description: 'DER CRL (application/pkix-crl)' },
  })
  async crl(@Res({ passthrough: true }) reply: FastifyReply) {
    const crl = await this.revocation.currentCrl();
    reply.type('application/pkix-crl');
    return Buffer.from(crl.rawData);
  }
}
