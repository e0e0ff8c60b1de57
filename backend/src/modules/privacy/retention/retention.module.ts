/**
 * Retention: the schedules of policies/privacy/retention.yaml enforced by a daily job (and by hand),
 * sparing what legal holds keep, with a signed receipt of every run in the audit trail.
 */
import { Module } from '@nestjs/common';
import { RetentionController } from './retention.controller.js';
import { RetentionJobs } from './retention.job.js';
import { RetentionEngine } from './retention-engine.js';
import { RetentionReceipts } from './retention-receipt.js';
import { RetentionRunsRepository } from './retention-runs.repository.js';
import { RetentionRunsService } from './retention-runs.service.js';
import { RetentionSchedulesRepository } from './retention-schedules.repository.js';
import { RetentionSchedulesService } from './retention-schedules.service.js';

@Module({
  controllers: [RetentionController],
  providers: [
    RetentionSchedulesRepository,
    RetentionSchedulesService,
    RetentionRunsRepository,
    RetentionRunsService,
    RetentionReceipts,
    RetentionEngine,
    RetentionJobs,
  ],
  exports: [RetentionEngine, RetentionReceipts],
})
export class RetentionModule {}
