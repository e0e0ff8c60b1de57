/** The request workflow's mails in German. */
import { type Authorities, isOverdue, type Templates } from './types.js';

export const authorities: Authorities = {
  'supervisory-authority':
    'einer Datenschutz-Aufsichtsbehörde, insbesondere in dem Mitgliedstaat Ihres Aufenthalts oder Arbeitsplatzes (Art. 77 DSGVO)',
  ico: 'dem Information Commissioner’s Office (ICO)',
  'hhs-ocr': 'dem US-Gesundheitsministerium (HHS, Office for Civil Rights)',
  cppa: 'der California Privacy Protection Agency oder dem Generalstaatsanwalt von Kalifornien',
};

export const templates: Templates = {
  filed: (f) => ({
    subject: `Ihr Antrag ${f.reference}: Ihr Bestätigungscode`,
    paragraphs: [
      `Wir haben Ihren Antrag ${f.reference} erhalten. Wir antworten bis ${f.dueAt}.`,
      `Um zu bestätigen, dass diese Adresse Ihnen gehört, geben Sie diesen Code ein: ${f.code}. Er ist ${f.validityMinutes} Minuten gültig.`,
      'Wenn Sie diesen Antrag nicht gestellt haben, können Sie diese Nachricht ignorieren.',
    ],
  }),
  code: (f) => ({
    subject: `Ihr Antrag ${f.reference}: Ihr Bestätigungscode`,
    paragraphs: [
      `Ihr Code für den Antrag ${f.reference} lautet ${f.code}. Er ist ${f.validityMinutes} Minuten gültig.`,
      'Wenn Sie keinen Code angefordert haben, können Sie diese Nachricht ignorieren.',
    ],
  }),
  received: (f) => ({
    subject: `Wir haben Ihren Antrag ${f.reference} erhalten`,
    paragraphs: [
      `Wir haben Ihren Antrag ${f.reference} erhalten. Wir antworten bis ${f.dueAt}.`,
      `Verfolgen Sie ihn hier: ${f.statusUrl}`,
    ],
  }),
  extended: (f) => ({
    subject: `Ihr Antrag ${f.reference} braucht mehr Zeit`,
    paragraphs: [
      `Wir brauchen mehr Zeit, um Ihren Antrag ${f.reference} zu beantworten. Wir antworten bis ${f.dueAt}.`,
      `Grund: ${f.reason}`,
      `Verfolgen Sie ihn hier: ${f.statusUrl}`,
    ],
  }),
  rejected: (f) => ({
    subject: `Ihr Antrag ${f.reference} wurde abgelehnt`,
    paragraphs: [
      `Wir können Ihrem Antrag ${f.reference} nicht nachkommen.`,
      `Grund: ${f.reason}`,
      `Sie können Beschwerde bei ${authorities[f.authority ?? 'supervisory-authority']} einlegen und einen gerichtlichen Rechtsbehelf einlegen.`,
      `Einzelheiten: ${f.statusUrl}`,
    ],
  }),
  completed: (f) => ({
    subject: `Ihr Antrag ${f.reference} wurde beantwortet`,
    paragraphs: [
      `Wir haben Ihren Antrag ${f.reference} abgeschlossen.`,
      `Hier sehen Sie die Antwort und laden Ihre Daten herunter, wenn Sie eine Kopie verlangt haben: ${f.statusUrl}`,
    ],
  }),
  reminder: (f) => ({
    subject: isOverdue(f) ? `Überfälliger Antrag ${f.reference}` : `Antrag ${f.reference} ist bald fällig`,
    paragraphs: [
      isOverdue(f)
        ? `Der Antrag ${f.reference} war fällig am ${f.dueAt} und ist noch offen.`
        : `Der Antrag ${f.reference} ist fällig am ${f.dueAt}.`,
      `Öffnen: ${f.statusUrl}`,
    ],
  }),
};
