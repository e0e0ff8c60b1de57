import { Module } from '@nestjs/common';
import { BreachDeadlines } from './breach-deadlines.js';
import { BreachesController } from './breaches.controller.js';
import { BreachesRepository } from './breaches.repository.js';
import { BreachesService } from './breaches.service.js';

@Module({
  controllers: [BreachesController],
  providers: [BreachesService, BreachesRepository, BreachDeadlines],
})
export class BreachesModule {}
