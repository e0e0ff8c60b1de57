/** Legal holds: placed and released by privacy and compliance officers, respected by retention and erasure. */
import { Module } from '@nestjs/common';
import { LegalHoldsController } from './legal-holds.controller.js';
import { LegalHoldsRepository } from './legal-holds.repository.js';
import { LegalHoldsService } from './legal-holds.service.js';

@Module({
  controllers: [LegalHoldsController],
  providers: [LegalHoldsService, LegalHoldsRepository],
  exports: [LegalHoldsRepository],
})
export class LegalHoldsModule {}
