/** /api/v1/audit: search the trail, prove what it contains, check its integrity, export it. Thin. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { type Actor, CurrentActor } from '../../core/authz/actor.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import {
  auditEventPageSchema,
  auditEventViewSchema,
  consistencyProofSchema,
  consistencyQuery,
  type ExportAuditBody,
  exportAuditBody,
  inclusionProofSchema,
  inclusionQuery,
  keysSchema,
  listHeadsQuery,
  type SearchAuditQuery,
  searchAuditQuery,
  seqParams,
  treeHeadListSchema,
  treeHeadSchema,
  treeSizeParams,
  verificationSchema,
} from './audit.dto.js';
import { AuditService } from './audit.service.js';
import { AuditExportService } from './audit-export.service.js';

const tags = ['audit'];
const noBody = z.strictObject({}).optional().describe('No body (an empty object is accepted)');

@Controller('v1/audit')
export class AuditController {
  constructor(
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuditExportService) private readonly exports: AuditExportService,
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
  ) {}

  @Get('events')
  @Endpoint({
    summary: 'Search the audit trail',
    description:
      'Events the caller may read, filtered in SQL by the same policy as single reads. Each item holds the sealed entry exactly as hashed, so it can be checked against an inclusion proof. Searching is itself recorded.',
    tags,
    query: searchAuditQuery,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'A page of events', schema: auditEventPageSchema },
  })
  search(@CurrentActor() actor: Actor, @Query() query: SearchAuditQuery) {
    return this.audit.search(actor, query);
  }

  @Get('events/:seq')
  @Endpoint({
    summary: 'Read one audit event',
    tags,
    params: seqParams,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The event', schema: auditEventViewSchema },
    errors: ['not_found'],
  })
  get(@CurrentActor() actor: Actor, @Param() params: { seq: number }) {
    return this.audit.get(actor, params.seq);
  }

  @Get('events/:seq/inclusion-proof')
  @Endpoint({
    summary: 'Prove an event is in the trail',
    description:
      'RFC 9162 inclusion proof of the event in the tree of a signed head (the newest by default).',
    tags,
    params: seqParams,
    query: inclusionQuery,
    permission: 'read:AuditEvent',
    response: {
      status: 200,
      description: 'The proof and the signed head it leads to',
      schema: inclusionProofSchema,
    },
    errors: ['not_found', 'conflict', 'audit_trail_inconsistent'],
  })
  inclusion(
    @CurrentActor() actor: Actor,
    @Param() params: { seq: number },
    @Query() query: { treeSize?: number },
  ) {
    return this.audit.inclusion(actor, params.seq, query.treeSize);
  }

  @Get('consistency-proof')
  @Endpoint({
    summary: 'Prove the trail only grew between two tree heads',
    description:
      'RFC 9162 consistency proof from the head of size `from` to the head of size `to` (the newest by default).',
    tags,
    query: consistencyQuery,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The proof and both signed heads', schema: consistencyProofSchema },
    errors: ['not_found', 'audit_trail_inconsistent'],
  })
  consistency(@CurrentActor() actor: Actor, @Query() query: { from: number; to?: number }) {
    return this.audit.consistency(actor, query.from, query.to);
  }

  @Get('tree-heads')
  @Endpoint({
    summary: 'List signed tree heads, newest first',
    tags,
    query: listHeadsQuery,
    permission: 'read:AuditEvent',
    response: {
      status: 200,
      description: 'Signed tree heads with any witness co-signatures',
      schema: treeHeadListSchema,
    },
  })
  async heads(@CurrentActor() actor: Actor, @Query() query: { before?: number; limit: number }) {
    return { items: await this.audit.heads(actor, query) };
  }

  @Get('tree-heads/latest')
  @Endpoint({
    summary: 'The newest signed tree head',
    tags,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The head', schema: treeHeadSchema },
    errors: ['not_found'],
  })
  latestHead(@CurrentActor() actor: Actor) {
    return this.audit.head(actor, 'latest');
  }

  @Get('tree-heads/:treeSize')
  @Endpoint({
    summary: 'The signed tree head of a given size',
    tags,
    params: treeSizeParams,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The head', schema: treeHeadSchema },
    errors: ['not_found'],
  })
  head(@CurrentActor() actor: Actor, @Param() params: { treeSize: number }) {
    return this.audit.head(actor, params.treeSize);
  }

  @Get('keys')
  @Endpoint({
    summary: 'Public keys that sign tree heads, and of the witness',
    description:
      'Publish these key ids through a channel auditors trust: a bundle is only as trustworthy as its key.',
    tags,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The keys', schema: keysSchema },
  })
  keys(@CurrentActor() actor: Actor) {
    return this.audit.keys(actor);
  }

  @Get('verification')
  @Endpoint({
    summary: 'The newest verification of the whole trail',
    tags,
    permission: 'read:AuditEvent',
    response: { status: 200, description: 'The result', schema: verificationSchema },
    errors: ['not_found'],
  })
  verification(@CurrentActor() actor: Actor) {
    return this.audit.latestVerification(actor);
  }

  @Post('verification')
  @HttpCode(200)
  @Endpoint({
    summary: 'Verify the whole trail now',
    description:
      'Recomputes the hash chain, every stored tree node and every signed head from the database and names the first divergence.',
    tags,
    body: noBody,
    permission: 'read:AuditEvent',
    audit: 'audit.verified',
    response: { status: 200, description: 'The result', schema: verificationSchema },
  })
  async verify(@CurrentActor() actor: Actor) {
    const result = await this.audit.verifyNow(actor);
    await this.recorder.recordDurably(actor, {
      type: 'audit.verified',
      outcome: result.ok ? 'allowed' : 'failed',
      resource: { type: 'AuditTrail', id: null, tenantId: actor.principal.tenantId },
      payload: {
        ok: result.ok,
        checkedEvents: result.checkedEvents,
        firstBadSeq: result.firstBadSeq,
        treeSize: result.treeSize,
      },
    });
    return result;
  }

  @Post('exports')
  @HttpCode(200)
  @Endpoint({
    summary: 'Export a signed audit bundle',
    description:
      'Streams a bundle, a tar archive (docs/audit-bundle.md), of the events matching the filter, with the proofs, keys and signed manifest an auditor needs to verify it offline with `custos-audit-verify`. The export is recorded in the trail.',
    tags,
    body: exportAuditBody,
    permission: 'export:AuditEvent',
    audit: 'audit.exported',
    response: { status: 200, description: 'The bundle (application/x-tar)' },
    errors: ['conflict'],
  })
  async export(@CurrentActor() actor: Actor, @Body() body: ExportAuditBody, @Res() reply: FastifyReply) {
    const { id, stream } = await this.exports.export(actor, body);
    return reply
      .type('application/x-tar')
      .header('content-disposition', `attachment; filename="custos-audit-${id}.tar"`)
      .send(stream);
  }
}
