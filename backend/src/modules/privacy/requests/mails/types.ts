/** The shape of the request workflow's mail texts (one file per language beside this one). */
import type { ComplaintAuthority } from '@custos/policies';

export type MailKind = 'filed' | 'code' | 'received' | 'extended' | 'rejected' | 'completed' | 'reminder';

export interface MailFacts {
  reference: string;
  /** Already formatted for the reader (see formatDate). */
  dueAt: string;
  statusUrl: string;
  code?: string;
  validityMinutes?: number;
  reason?: string;
  authority?: ComplaintAuthority;
  /** Reminders: days past the due date (negative: days left). */
  daysOverdue?: number;
}

export type MailText = { subject: string; paragraphs: string[] };
export type Templates = Record<MailKind, (f: MailFacts) => MailText>;
/** Whom a requester may complain to, by jurisdiction (art. 12(4), art. 77; HIPAA §164.524(d)(2)(iii)). */
export type Authorities = Record<ComplaintAuthority, string>;

/** Whether a reminder is about an overdue request rather than one due soon. */
export const isOverdue = (f: MailFacts) => (f.daysOverdue ?? 0) >= 0;
