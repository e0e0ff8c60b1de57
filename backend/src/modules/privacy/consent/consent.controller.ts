/** /api/v1/privacy/consents: consent given and withdrawn, append-only (no update or delete route). */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import {
  type ConsentSubjectKind,
  type CreateConsentBody,
  consentOverviewSchema,
  consentPageSchema,
  consentRecordViewSchema,
  consentSubjectParams,
  consentSubjectSchema,
  createConsentBody,
  type ListConsentsQuery,
  listConsentsQuery,
} from './consent.dto.js';
import { ConsentService } from './consent.service.js';

const tags = ['privacy'];

@Controller('v1/privacy/consents')
export class ConsentController {
  constructor(@Inject(ConsentService) private readonly consents: ConsentService) {}

  @Post()
  @HttpCode(201)
  @Endpoint({
    summary: 'Record consent given or withdrawn',
    description:
      'Appends a consent record for a purpose that takes consent (policies/privacy/processing.yaml). The latest record per subject and purpose is the one in force. A signed-in data subject records their own (source portal); staff record on a subject’s behalf (officer, import, device).',
    tags,
    body: createConsentBody,
    permission: 'create:ConsentRecord',
    audit: 'privacy.consent_recorded',
    response: { status: 201, description: 'The new record', schema: consentRecordViewSchema },
    errors: ['invalid_consent', 'invalid_reference'],
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: CreateConsentBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const record = await this.consents.record(actor, body);
    // Records have no page of their own: the subject's consent is where the new state shows.
    const subject = record.patientId ? `patient/${record.patientId}` : `user/${record.userId}`;
    reply.header('location', `/api/v1/privacy/consents/subjects/${subject}`);
    return actor.visible('ConsentRecord', record);
  }

  @Get()
  @Endpoint({
    summary: 'List consent records (history)',
    description: 'Newest first by default; reading them is recorded in the audit trail per data subject.',
    tags,
    query: listConsentsQuery,
    permission: 'read:ConsentRecord',
    response: { status: 200, description: 'A page of consent records', schema: consentPageSchema },
  })
  list(@CurrentActor() actor: Actor, @Query() query: ListConsentsQuery) {
    return this.consents.list(actor, query);
  }

  @Get('overview')
  @Endpoint({
    summary: 'Consent per purpose across the tenant',
    description: 'For each purpose, how many subjects’ latest record is given and how many withdrawn.',
    tags,
    permission: 'read:ConsentRecord',
    response: { status: 200, description: 'Counts per purpose', schema: consentOverviewSchema },
  })
  overview(@CurrentActor() actor: Actor) {
    return this.consents.overview(actor);
  }

  @Get('subjects/:kind/:id')
  @Endpoint({
    summary: 'One data subject’s consent: current state per purpose and history',
    tags,
    params: consentSubjectParams,
    permission: 'read:ConsentRecord',
    response: { status: 200, description: 'The subject’s consent', schema: consentSubjectSchema },
    errors: ['not_found'],
  })
  subject(@CurrentActor() actor: Actor, @Param() params: { kind: ConsentSubjectKind; id: string }) {
    return this.consents.subject(actor, params.kind, params.id);
  }
}
