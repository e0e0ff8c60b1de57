/**
 * Data-subject requests (GDPR art. 12, 15–22; HIPAA §164.524–526): the public portal, the signed-in
 * workflow, the fulfilment job, mails and deadline reminders.
 */
import { Module } from '@nestjs/common';
import { MailModule } from '../../../core/mail/mail.module.js';
import { FulfilmentModule } from '../fulfilment/fulfilment.module.js';
import { FulfilJob } from './fulfil.job.js';
import { PortalIntakeService } from './portal-intake.service.js';
import { PortalStatusService } from './portal-status.service.js';
import { PrivacyRequestsController } from './privacy-requests.controller.js';
import { PrivacyStaff } from './privacy-staff.js';
import { PublicRequestsController } from './public-requests.controller.js';
import { RemindersJob } from './reminders.job.js';
import { RequestCodesRepository } from './request-codes.repository.js';
import { RequestFilingService } from './request-filing.service.js';
import { RequestHistoryRepository } from './request-history.repository.js';
import { RequestJournal } from './request-journal.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { RequestMails } from './request-mails.js';
import { RequestQueriesService } from './request-queries.service.js';
import { RequestViews } from './request-views.js';
import { RequestWorkflowService } from './request-workflow.service.js';
import { RequestsRepository } from './requests.repository.js';

@Module({
  imports: [MailModule, FulfilmentModule],
  controllers: [PublicRequestsController, PrivacyRequestsController],
  providers: [
    RequestsRepository,
    RequestCodesRepository,
    RequestHistoryRepository,
    RequestJurisdictions,
    RequestJournal,
    RequestMails,
    RequestViews,
    PrivacyStaff,
    PortalIntakeService,
    PortalStatusService,
    RequestFilingService,
    RequestQueriesService,
    RequestWorkflowService,
    FulfilJob,
    RemindersJob,
  ],
  exports: [RequestsRepository],
})
export class PrivacyRequestsModule {}
