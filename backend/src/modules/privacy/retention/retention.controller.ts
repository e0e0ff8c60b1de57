/** /api/v1/privacy/retention: schedules as they apply to the caller's tenant, and retention runs. */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor } from '../../../core/authz/actor.js';
import { Endpoint } from '../../../core/http/endpoint.decorator.js';
import {
  type ListRunsQuery,
  listRunsQuery,
  type RequestRunBody,
  requestRunBody,
  retentionRunPageSchema,
  retentionRunSchema,
  retentionSchedulePageSchema,
  retentionScheduleViewSchema,
  runIdParams,
  type SetScheduleDaysBody,
  scheduleIdParams,
  setScheduleDaysBody,
} from './retention.dto.js';
import { RetentionRunsService } from './retention-runs.service.js';
import { RetentionSchedulesService } from './retention-schedules.service.js';

const tags = ['privacy'];

@Controller('v1/privacy/retention')
export class RetentionController {
  constructor(
    @Inject(RetentionSchedulesService) private readonly schedules: RetentionSchedulesService,
    @Inject(RetentionRunsService) private readonly runs: RetentionRunsService,
  ) {}

  @Get('schedules')
  @Endpoint({
    summary: 'List the retention schedules as they apply to your tenant',
    tags,
    permission: 'read:RetentionSchedule',
    response: {
      status: 200,
      description: 'Every schedule, in declaration order',
      schema: retentionSchedulePageSchema,
    },
  })
  listSchedules(@CurrentActor() actor: Actor) {
    return this.schedules.list(actor);
  }

  @Put('schedules/:id')
  @Endpoint({
    summary: 'Choose your tenant’s period for a schedule',
    description:
      'Only where the schedule gives tenantDays bounds; a period outside them is refused (400, field days).',
    tags,
    params: scheduleIdParams,
    body: setScheduleDaysBody,
    permission: 'update:RetentionSchedule',
    audit: 'privacy.retention_changed',
    response: {
      status: 200,
      description: 'The schedule with its new period',
      schema: retentionScheduleViewSchema,
    },
    errors: ['not_found'],
  })
  setDays(@CurrentActor() actor: Actor, @Param() params: { id: string }, @Body() body: SetScheduleDaysBody) {
    return this.schedules.setDays(actor, params.id, body.days);
  }

  @Post('runs')
  @HttpCode(202)
  @Endpoint({
    summary: 'Run retention over your tenant now',
    description:
      'Queues a run (dryRun: only report what would go). Read its report at the Location given; its signed ' +
      'receipt is appended to the audit trail as privacy.retention_receipt.',
    tags,
    body: requestRunBody,
    permission: 'run:RetentionSchedule',
    audit: 'privacy.retention_run_requested',
    response: { status: 202, description: 'The queued run', schema: retentionRunSchema },
  })
  async requestRun(
    @CurrentActor() actor: Actor,
    @Body() body: RequestRunBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const run = await this.runs.request(actor, body);
    reply.header('location', `/api/v1/privacy/retention/runs/${run.id}`);
    return run;
  }

  @Get('runs')
  @Endpoint({
    summary: 'List retention runs, newest first',
    tags,
    query: listRunsQuery,
    permission: 'read:RetentionSchedule',
    response: {
      status: 200,
      description: 'A page of runs (without their reports)',
      schema: retentionRunPageSchema,
    },
  })
  listRuns(@CurrentActor() actor: Actor, @Query() query: ListRunsQuery) {
    return this.runs.list(actor, query);
  }

  @Get('runs/:id')
  @Endpoint({
    summary: 'Read a retention run and its report',
    tags,
    params: runIdParams,
    permission: 'read:RetentionSchedule',
    response: { status: 200, description: 'The run', schema: retentionRunSchema },
    errors: ['not_found'],
  })
  getRun(@CurrentActor() actor: Actor, @Param() params: { id: string }) {
    return this.runs.get(actor, params.id);
  }
}
