/** Privacy operations (issue 6): data-subject requests, retention, legal holds, consent, breaches, record of processing. */
import { Module } from '@nestjs/common';
import { BreachesModule } from './breaches/breaches.module.js';
import { ConsentModule } from './consent/consent.module.js';
import { FulfilmentModule } from './fulfilment/fulfilment.module.js';
import { LegalHoldsModule } from './holds/legal-holds.module.js';
import { ProcessingRecordsModule } from './records/processing-records.module.js';
import { PrivacyRequestsModule } from './requests/privacy-requests.module.js';
import { RetentionModule } from './retention/retention.module.js';

@Module({
  imports: [
    PrivacyRequestsModule,
    FulfilmentModule,
    RetentionModule,
    LegalHoldsModule,
    ConsentModule,
    BreachesModule,
    ProcessingRecordsModule,
  ],
})
export class PrivacyModule {}
