/** /api/v1/privacy/processing-record: the GDPR art. 30 record of processing, generated per tenant. */
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import {
  type ExportProcessingRecordQuery,
  exportProcessingRecordQuery,
  processingRecordViewSchema,
} from './processing-records.dto.js';
import { ProcessingRecordsService } from './processing-records.service.js';

const tags = ['privacy'];

@Controller('v1/privacy/processing-record')
export class ProcessingRecordsController {
  constructor(@Inject(ProcessingRecordsService) private readonly records: ProcessingRecordsService) {}

  @Get()
  @Endpoint({
    summary: 'The record of processing activities (GDPR art. 30)',
    description:
      'Generated from policies/privacy/ (purposes, data map, retention schedules) with the periods in force for the caller’s organisation.',
    tags,
    permission: 'read:ProcessingRecord',
    response: { status: 200, description: 'The record', schema: processingRecordViewSchema },
  })
  get(@CurrentActor() actor: Actor) {
    return this.records.get(actor);
  }

  @Get('export')
  @Endpoint({
    summary: 'Download the record of processing as JSON, CSV or Markdown',
    description:
      'CSV has one row per activity and category of personal data; Markdown is a document that can be sent to a supervisory authority. Each export is recorded in the audit trail.',
    tags,
    query: exportProcessingRecordQuery,
    permission: 'export:ProcessingRecord',
    response: {
      status: 200,
      description: 'The file (attachment)',
      headers: {
        'content-disposition': 'attachment; filename="record-of-processing-<organisation>-<date>.<format>"',
      },
    },
  })
  async export(
    @CurrentActor() actor: Actor,
    @Query() query: ExportProcessingRecordQuery,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.records.export(actor, query.format);
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'no-store')
      .send(file.body);
  }
}
