/**
 * The notification clocks of a breach and the rules a register entry must keep. GDPR art. 33(1): the
 * supervisory authority within 72 hours of becoming aware, or with the reasons for the delay;
 * HIPAA §164.404(b): the individuals without unreasonable delay and within 60 days of discovery.
 * Neither applies when the risk is assessed as unlikely (art. 33(1); §164.402(2) low probability).
 */
import { AppError } from '../../../core/errors/app-error.js';
import { type Breach, NOTIFICATION_HOURS } from './breaches.dto.js';

const HOUR_MS = 3_600_000;
/** HIPAA §164.404(b): "in no case later than 60 calendar days after discovery". */
export const SUBJECT_NOTIFICATION_DAYS = 60;

export const notificationDueAt = (detectedAt: string): string =>
  new Date(Date.parse(detectedAt) + NOTIFICATION_HOURS * HOUR_MS).toISOString();

export const subjectsNotificationDueAt = (detectedAt: string): string =>
  new Date(Date.parse(detectedAt) + SUBJECT_NOTIFICATION_DAYS * 24 * HOUR_MS).toISOString();

type Clock = Pick<Breach, 'detectedAt' | 'risk' | 'authorityNotifiedAt' | 'subjectsNotifiedAt'>;

/** The authority has not been told, the 72 hours are over, and the risk is not assessed as unlikely. */
export function notificationOverdue(breach: Clock, now = Date.now()): boolean {
  return (
    breach.authorityNotifiedAt === null &&
    breach.risk !== 'unlikely' &&
    Date.parse(notificationDueAt(breach.detectedAt)) <= now
  );
}

export function subjectsNotificationOverdue(breach: Clock, now = Date.now()): boolean {
  return (
    breach.subjectsNotifiedAt === null &&
    breach.risk !== 'unlikely' &&
    Date.parse(subjectsNotificationDueAt(breach.detectedAt)) <= now
  );
}

/** The derived clocks shown beside a breach. */
export function clocksOf(breach: Clock, now = Date.now()) {
  return {
    notificationOverdue: notificationOverdue(breach, now),
    subjectsNotificationDueAt: subjectsNotificationDueAt(breach.detectedAt),
    subjectsNotificationOverdue: subjectsNotificationOverdue(breach, now),
  };
}

const fieldError = (path: string, message: string) =>
  AppError.validation([{ location: 'body', path, message, code: 'invalid_date' }]);

/** Checks a register entry as it will be after a change; throws the error to answer with. */
export function checkBreach(next: Breach): void {
  const detected = Date.parse(next.detectedAt);
  if (next.occurredAt !== null && Date.parse(next.occurredAt) > detected) {
    throw fieldError('occurredAt', 'A breach occurs before it is detected');
  }
  if (next.authorityNotifiedAt !== null && Date.parse(next.authorityNotifiedAt) < detected) {
    throw fieldError(
      'authorityNotifiedAt',
      'The authority cannot be notified before the breach was detected',
    );
  }
  if (next.subjectsNotifiedAt !== null && Date.parse(next.subjectsNotifiedAt) < detected) {
    throw fieldError('subjectsNotifiedAt', 'People cannot be told before the breach was detected');
  }
  if (
    next.authorityNotifiedAt !== null &&
    Date.parse(next.authorityNotifiedAt) > Date.parse(next.notificationDueAt) &&
    next.lateNotificationReason === null
  ) {
    throw new AppError('late_notification_reason_required', {
      detail: `The authority was notified more than ${NOTIFICATION_HOURS} hours after detection; give the reasons for the delay (GDPR art. 33(1)).`,
      errors: [
        {
          location: 'body',
          path: 'lateNotificationReason',
          message: 'Required when the notification is late',
          code: 'late_notification_reason_required',
        },
      ],
    });
  }
  if (next.status === 'closed') {
    if (next.risk === 'unassessed') throw notClosable('assess its risk first');
    if (next.risk !== 'unlikely' && next.authorityNotifiedAt === null) {
      throw notClosable('record when the supervisory authority was notified first');
    }
  }
}

const notClosable = (what: string) =>
  new AppError('invalid_state_transition', {
    detail: `The breach cannot be closed yet: ${what}.`,
    extensions: { status: 'closed' },
  });
