/** /api/v1/device-manifests: the tenant's signed secure-element manifests (Trust&GO allowlists). */
import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import {
  type ImportManifestBody,
  importManifestBody,
  manifestDetailSchema,
  manifestListSchema,
  manifestParams,
  manifestSchema,
  type PageQuery,
  pageQuery,
} from './manifests.dto.js';
import { ManifestsService } from './manifests.service.js';

const tags = ['device manifests'];

@Controller('v1/device-manifests')
export class ManifestsController {
  constructor(@Inject(ManifestsService) private readonly service: ManifestsService) {}

  @Post()
  @Endpoint({
    summary: 'Import a signed secure-element manifest as the tenant’s allowlist of pre-provisioned chips',
    description:
      'The body is the manifest as Microchip ships it (Trust&GO): a JSON array of SignedSecureElement entries, each an ES256 JWS (flattened JSON serialization) by a manifest signer this deployment trusts (MANIFEST_SIGNER_CERTIFICATES_FILE). Every entry is verified first: one bad entry refuses the whole manifest (422 `invalid_manifest`, `errors[0].path` starts with its index), and an entry that contradicts the tenant’s list (a chip listed with another key) is 409. 201 with the new manifest; the same manifest again is 200 with the one imported before, and changes nothing. Bodies over API_BODY_LIMIT_BYTES are 413: split the array (each entry is signed on its own).',
    tags,
    body: importManifestBody,
    permission: 'provision:Device',
    audit: 'device.manifest_imported',
    response: {
      status: 201,
      description: 'The imported manifest (200: imported before)',
      schema: manifestSchema,
      headers: { location: 'The manifest’s URL (201 only)' },
    },
    errors: ['invalid_manifest', 'conflict', 'payload_too_large', 'manifest_signer_not_configured'],
  })
  async import(
    @CurrentActor() actor: Actor,
    @Body() body: ImportManifestBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { manifest, created } = await this.service.import(actor, body);
    if (created) reply.status(201).header('location', `/api/v1/device-manifests/${manifest.id}`);
    else reply.status(200);
    return manifest;
  }

  @Get()
  @Endpoint({
    summary: 'List the tenant’s imported secure-element manifests',
    tags,
    query: pageQuery,
    permission: 'provision:Device',
    response: { status: 200, description: 'The manifests, newest first', schema: manifestListSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: PageQuery) {
    return this.service.list(actor, query);
  }

  @Get(':id')
  @Endpoint({
    summary: 'Read an imported manifest and the chips it added',
    description:
      'Entries by serial number (`uniqueId`), with the slot-0 key’s fingerprint and the device each chip was provisioned into, if any; page them with `cursor` and `limit`.',
    tags,
    params: manifestParams,
    query: pageQuery,
    permission: 'provision:Device',
    response: { status: 200, description: 'The manifest', schema: manifestDetailSchema },
    errors: ['not_found'],
  })
  get(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Query() query: PageQuery) {
    return this.service.get(actor, params.id, query);
  }
}
