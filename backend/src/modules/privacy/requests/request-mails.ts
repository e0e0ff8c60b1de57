/**
 * Mail about requests. A step that should tell someone enqueues a `privacy.mail` job in its own
 * transaction (an outbox: the mail goes exactly when the step committed, and is retried while the
 * mail server is down); the job reads the request when it runs, so its payload holds ids only.
 * One-time codes are the exception: they exist only in memory, so they are sent at once.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { APP_LOGGER } from '../../../core/core.tokens.js';
import type { Queryable } from '../../../core/database/database.js';
import { JobQueue } from '../../../core/jobs/job-queue.js';
import { type JobContext, JobWorker } from '../../../core/jobs/job-worker.js';
import { Mailer, MailNotSent } from '../../../core/mail/mailer.js';
import { formatDate, isMailLocale, type MailKind, renderMail } from './mails.js';
import { PrivacyStaff } from './privacy-staff.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { type PrivacyRequestRecord, RequestsRepository } from './requests.repository.js';

export const MAIL_QUEUE = 'privacy.mail';
type QueuedKind = Exclude<MailKind, 'filed' | 'code'>;

@Injectable()
export class RequestMails implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobWorker) private readonly worker: JobWorker,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestJurisdictions) private readonly jurisdictions: RequestJurisdictions,
    @Inject(PrivacyStaff) private readonly staff: PrivacyStaff,
  ) {}

  onModuleInit(): void {
    this.worker.register(MAIL_QUEUE, (context) => this.deliver(context));
  }

  /** Queues a mail in the step's transaction; `key` makes it once per request and occasion. */
  async enqueue(
    tx: Queryable,
    request: PrivacyRequestRecord,
    kind: QueuedKind,
    extra: { daysOverdue?: number; key?: string } = {},
  ): Promise<void> {
    const key = `${MAIL_QUEUE}:${request.id}:${kind}${extra.key ? `:${extra.key}` : ''}`;
    const payload = {
      requestId: request.id,
      kind,
      ...(extra.daysOverdue !== undefined ? { daysOverdue: extra.daysOverdue } : {}),
    };
    await this.queue.enqueue(tx, MAIL_QUEUE, payload, { dedupeKey: key, maxAttempts: 8 });
  }

  /**
   * Queues a deadline reminder as one job per staff recipient, so a failed send is retried for that
   * recipient alone. The key is (request, recipient, occasion): `at` is when the pass claimed the
   * reminder (last_reminded_at lets that happen once a day), so queuing the same one again mails
   * nobody twice.
   */
  async enqueueReminders(
    tx: Queryable,
    request: PrivacyRequestRecord,
    reminder: { daysOverdue: number; occasion: 'warning' | 'overdue'; at: string },
  ): Promise<number> {
    const recipients = await this.staff.recipients(request, tx);
    for (const recipient of recipients) {
      const payload = {
        requestId: request.id,
        kind: 'reminder',
        daysOverdue: reminder.daysOverdue,
        recipientId: recipient.userId,
      };
      await this.queue.enqueue(tx, MAIL_QUEUE, payload, {
        dedupeKey: `${MAIL_QUEUE}:${request.id}:reminder:${recipient.userId}:${reminder.at}:${reminder.occasion}`,
        maxAttempts: 8,
      });
    }
    return recipients.length;
  }

  /** Sends a code now (filing or a new code); false when it could not be sent (logged by code only). */
  async sendCode(request: PrivacyRequestRecord, kind: 'filed' | 'code', code: string): Promise<boolean> {
    if (!request.contactEmail) return false;
    const facts = {
      ...this.facts(request),
      code,
      validityMinutes: this.config.PRIVACY_CODE_VALIDITY_MINUTES,
    };
    try {
      return await this.mailer.send({
        to: request.contactEmail,
        ...renderMail(kind, localeOf(request.locale), facts),
      });
    } catch (error) {
      this.logger.warn({ code: codeOf(error), kind }, 'privacy request mail not sent');
      return false;
    }
  }

  /** The status page a requester follows their request on. */
  statusUrl(request: Pick<PrivacyRequestRecord, 'locale' | 'reference'>): string {
    return `${this.config.WEB_PUBLIC_URL}/${localeOf(request.locale)}/portal/requests/${request.reference}`;
  }

  private async deliver({ job }: JobContext): Promise<void> {
    const { requestId, kind, daysOverdue, recipientId } = job.payload as {
      requestId: string;
      kind: QueuedKind;
      daysOverdue?: number;
      recipientId?: string;
    };
    const request = await this.requests.findById(requestId);
    if (!request) return;
    try {
      if (kind === 'reminder') await this.remindStaff(request, daysOverdue ?? 0, recipientId);
      else if (request.contactEmail) {
        const locale = localeOf(request.locale);
        await this.mailer.send({
          to: request.contactEmail,
          ...renderMail(kind, locale, this.facts(request)),
        });
      }
    } catch (error) {
      // The job fails with the code and is retried with backoff.
      throw Object.assign(new Error('mail not sent'), { code: `mail_${codeOf(error)}` });
    }
  }

  /**
   * One recipient's reminder (asked again now: they may have lost the right to work the request), or
   * everyone's for a job queued without a recipient by the release before.
   */
  private async remindStaff(
    request: PrivacyRequestRecord,
    daysOverdue: number,
    recipientId: string | undefined,
  ): Promise<void> {
    const recipients = await this.staff.recipients(request);
    for (const recipient of recipients.filter((r) => recipientId === undefined || r.userId === recipientId)) {
      const locale = localeOf(recipient.locale ?? 'en');
      const facts = {
        ...this.facts(request, locale),
        statusUrl: `${this.config.WEB_PUBLIC_URL}/${locale}/privacy/requests/${request.id}`,
        daysOverdue,
      };
      await this.mailer.send({ to: recipient.email, ...renderMail('reminder', locale, facts) });
    }
  }

  private facts(request: PrivacyRequestRecord, locale = localeOf(request.locale)) {
    const authority = this.jurisdictions.get(request.jurisdiction)?.complaintAuthority;
    const reason = request.status === 'rejected' ? request.rejectionReason : request.extensionReason;
    return {
      reference: request.reference,
      dueAt: formatDate(request.extendedDueAt ?? request.dueAt, locale, request.timeZone),
      statusUrl: this.statusUrl(request),
      ...(reason ? { reason } : {}),
      ...(authority ? { authority } : {}),
    };
  }
}

const localeOf = (value: string) => (isMailLocale(value) ? value : 'en');
const codeOf = (error: unknown) => (error instanceof MailNotSent ? error.code : 'EMAIL');
