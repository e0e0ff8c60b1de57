import { Module } from '@nestjs/common';
import { ProcessingRecordsController } from './processing-records.controller.js';
import { ProcessingRecordsRepository } from './processing-records.repository.js';
import { ProcessingRecordsService } from './processing-records.service.js';

@Module({
  controllers: [ProcessingRecordsController],
  providers: [ProcessingRecordsService, ProcessingRecordsRepository],
})
export class ProcessingRecordsModule {}
