/** The request workflow's mails in English. */
import { type Authorities, isOverdue, type Templates } from './types.js';

export const authorities: Authorities = {
  'supervisory-authority':
    'a data protection supervisory authority, in particular in the member state where you live or work (GDPR art. 77)',
  ico: "the Information Commissioner's Office (ICO)",
  'hhs-ocr': 'the Secretary of the U.S. Department of Health and Human Services (Office for Civil Rights)',
  cppa: 'the California Privacy Protection Agency or the California Attorney General',
};

export const templates: Templates = {
  filed: (f) => ({
    subject: `Your request ${f.reference}: your confirmation code`,
    paragraphs: [
      `We have received your request ${f.reference}. We will answer by ${f.dueAt}.`,
      `To confirm that this address is yours, enter this code: ${f.code}. It is valid for ${f.validityMinutes} minutes.`,
      'If you did not make this request, you can ignore this message.',
    ],
  }),
  code: (f) => ({
    subject: `Your request ${f.reference}: your confirmation code`,
    paragraphs: [
      `Your code for request ${f.reference} is ${f.code}. It is valid for ${f.validityMinutes} minutes.`,
      'If you did not ask for a code, you can ignore this message.',
    ],
  }),
  received: (f) => ({
    subject: `We have received your request ${f.reference}`,
    paragraphs: [
      `We have received your request ${f.reference}. We will answer by ${f.dueAt}.`,
      `Follow it here: ${f.statusUrl}`,
    ],
  }),
  extended: (f) => ({
    subject: `Your request ${f.reference} needs more time`,
    paragraphs: [
      `We need more time to answer your request ${f.reference}. We will answer by ${f.dueAt}.`,
      `Why: ${f.reason}`,
      `Follow it here: ${f.statusUrl}`,
    ],
  }),
  rejected: (f) => ({
    subject: `Your request ${f.reference} was refused`,
    paragraphs: [
      `We cannot act on your request ${f.reference}.`,
      `Why: ${f.reason}`,
      `You may lodge a complaint with ${authorities[f.authority ?? 'supervisory-authority']}, and you may seek a judicial remedy.`,
      `Details: ${f.statusUrl}`,
    ],
  }),
  completed: (f) => ({
    subject: `Your request ${f.reference} has been answered`,
    paragraphs: [
      `We have completed your request ${f.reference}.`,
      `See the answer, and download your data where you asked for a copy: ${f.statusUrl}`,
    ],
  }),
  reminder: (f) => ({
    subject: isOverdue(f)
      ? `Overdue data-subject request ${f.reference}`
      : `Data-subject request ${f.reference} is due soon`,
    paragraphs: [
      isOverdue(f)
        ? `Request ${f.reference} was due ${f.dueAt} and is still open.`
        : `Request ${f.reference} is due ${f.dueAt}.`,
      `Open it: ${f.statusUrl}`,
    ],
  }),
};
