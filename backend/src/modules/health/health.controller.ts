/** Liveness and readiness for orchestrators; public by design and free of any tenant data. */
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../../core/auth/public.decorator.js';
import { Endpoint } from '../../core/http/endpoint.decorator.js';
import { HealthService } from './health.service.js';

const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
  auditTrail: z
    .object({
      verification: z.enum(['verified', 'diverged', 'not_yet_run']),
      verifiedAt: z.string().nullable(),
      checkedEvents: z.number().int().nullable(),
      firstBadSeq: z.number().int().nullable(),
      badTreeSize: z.number().int().nullable(),
    })
    .describe(
      'Result of the newest full verification of the audit trail (not a readiness gate: an integrity alarm)',
    ),
});

@Controller('health')
export class HealthController {
  constructor(@Inject(HealthService) private readonly health: HealthService) {}

  @Public()
  @Get()
  @Endpoint({
    summary: 'Liveness: the process is up',
    tags: ['health'],
    response: { status: 200, description: 'Alive', schema: z.object({ status: z.literal('ok') }) },
  })
  live() {
    return { status: 'ok' as const };
  }

  @Public()
  @Get('ready')
  @Endpoint({
    summary: 'Readiness: the database answers',
    description:
      '503 with the same body shape when the database is down; the identity provider is reported but does not gate readiness.',
    tags: ['health'],
    response: { status: 200, description: 'Ready', schema: readinessSchema },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.health.readiness();
    if (result.status !== 'ready') reply.status(503);
    return result;
  }
}
