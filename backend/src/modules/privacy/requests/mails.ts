/**
 * The mails of the request workflow, in the requester's language (en, de, ru, ar: the texts are in
 * mails/), as plain text and simple HTML. Dates are shown in the request's time zone. A mail carries
 * what the law asks the controller to say (art. 12(3): the reason for an extension; art. 12(4): why a
 * request is refused and that the requester may complain) and a link to the status page, never the
 * requester's data.
 */
import { escapeHtml } from '../../../core/mail/html.js';
import type { MailMessage } from '../../../core/mail/mailer.js';
import * as ar from './mails/ar.js';
import * as de from './mails/de.js';
import * as en from './mails/en.js';
import * as ru from './mails/ru.js';
import type { MailFacts, MailKind, Templates } from './mails/types.js';
import type { RequestLocale } from './requests.dto.js';

export type { MailFacts, MailKind } from './mails/types.js';

const templates: Record<RequestLocale, Templates> = {
  en: en.templates,
  de: de.templates,
  ru: ru.templates,
  ar: ar.templates,
};

export const isMailLocale = (value: string): value is RequestLocale => Object.hasOwn(templates, value);

/** A date and time as the reader reads them: their language, their time zone (named). */
export function formatDate(iso: string, locale: RequestLocale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** The mail, ready for the Mailer (without its recipient). */
export function renderMail(kind: MailKind, locale: RequestLocale, facts: MailFacts): Omit<MailMessage, 'to'> {
  const { subject, paragraphs } = templates[locale][kind](facts);
  const dir = locale === 'ar' ? 'rtl' : 'ltr';
  const linked = (p: string) =>
    escapeHtml(p).replace(
      escapeHtml(facts.statusUrl),
      `<a href="${escapeHtml(facts.statusUrl)}">${escapeHtml(facts.statusUrl)}</a>`,
    );
  return {
    subject,
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html lang="${locale}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${paragraphs
      .map((p) => `<p>${linked(p)}</p>`)
      .join('')}</body></html>`,
    language: locale,
  };
}
