/**
 * The record of processing as files a privacy officer can hand over: CSV (one row per activity and
 * category of personal data, for spreadsheets) and Markdown (a document a supervisory authority can
 * read as it is). JSON is the API's own shape.
 */
import type { Activity, ExportFormat, ProcessingRecord } from './processing-records.dto.js';

export const contentTypes: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

export const csvColumns = [
  'activity',
  'activity_name',
  'legal_basis',
  'data_subjects',
  'category',
  'category_description',
  'special_category',
  'stored_in',
  'recipients',
  'retention',
  'consent',
  'objection',
  'controller',
] as const;

export function render(record: ProcessingRecord, format: ExportFormat): string {
  if (format === 'csv') return toCsv(record);
  if (format === 'md') return toMarkdown(record);
  return `${JSON.stringify(record, null, 2)}\n`;
}

const retentionText = (activity: Activity) =>
  activity.retention.map((r) => `${r.schedule}: ${r.days} days (${r.action})`).join('; ');

export function toCsv(record: ProcessingRecord): string {
  const rows: string[][] = [[...csvColumns]];
  for (const activity of record.activities) {
    for (const category of activity.categories) {
      rows.push([
        activity.id,
        activity.name,
        activity.basis,
        activity.subjects.join('; '),
        category.name,
        category.description,
        category.special ? 'yes' : 'no',
        category.tables.map((t) => `${t.table}(${t.columns.join(', ')})`).join('; '),
        activity.recipients.join('; '),
        retentionText(activity),
        activity.consent,
        activity.objection,
        record.controller.name,
      ]);
    }
  }
  // RFC 4180: CRLF line ends; a leading BOM lets spreadsheet programs detect UTF-8.
  return `\ufeff${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/**
 * Quotes when needed (RFC 4180), and defuses cells a spreadsheet would run as a formula (the tenant's
 * name is text someone typed).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * Inline Markdown text: punctuation that would format, link, embed HTML or break a table is escaped.
 * Underscores are left alone: CommonMark never emphasises inside a word (device_state), and the
 * document stays readable as plain text.
 */
export function md(value: string): string {
  return value.replace(/[\\`*[\]<>|#]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const whenDue: Record<string, string> = {
  'drop-partitions': 'deleted (whole days at once)',
  delete: 'deleted',
  anonymise: 'anonymised',
  review: 'reviewed; never deleted automatically',
};

const duringRestriction: Record<string, string> = {
  stopped: 'stops',
  allowed: 'continues',
  'allowed-in-emergency': 'stops, except in an emergency (vital interests)',
};

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

export function toMarkdown(record: ProcessingRecord): string {
  const out: string[] = [
    '# Record of processing activities',
    '',
    `Under GDPR article 30(1). Controller: **${md(record.controller.name)}** (organisation ${record.controller.tenantId}).`,
    `Generated ${record.generatedAt} from the platform's declared purposes, data map and retention schedules.`,
    '',
    `> ${md(record.controller.note)} The platform operator acts as ${record.controller.platformRole}.`,
    '',
    '## Processing activities',
  ];
  record.activities.forEach((activity, index) => {
    out.push(
      '',
      `### ${index + 1}. ${md(activity.name)}`,
      '',
      md(activity.description),
      '',
      '| | |',
      '|---|---|',
      `| Purpose | ${md(activity.id)} |`,
      `| Legal basis | ${md(activity.basis)} |`,
      `| Data subjects | ${md(activity.subjects.join(', '))} |`,
      `| Recipients | ${md(activity.recipients.join('; ') || 'none')} |`,
      `| Consent | ${activity.consent === 'required' ? 'required (processing only while consent is given)' : 'not the legal basis'} |`,
      `| Objection (art. 21) | ${activity.objection === 'allowed' ? 'possible; processing stops for the subject' : 'not applicable'} |`,
      `| During restriction (art. 18) | ${duringRestriction[activity.duringRestriction] ?? md(activity.duringRestriction)} |`,
      '',
      '#### Categories of personal data',
      '',
      '| Category | Description | Special category (art. 9) | Stored in |',
      '|---|---|---|---|',
      ...activity.categories.map(
        (c) =>
          `| ${md(c.name)} | ${md(c.description)} | ${yesNo(c.special)} | ${md(c.tables.map((t) => t.table).join(', '))} |`,
      ),
      '',
      '#### Time limits for erasure',
      '',
    );
    if (activity.retention.length === 0) {
      out.push(
        'Kept while the account or relationship lasts; erased on request where no legal duty applies.',
      );
    } else {
      out.push(
        '| Schedule | Applies to | Period | When the period ends | Basis |',
        '|---|---|---|---|---|',
        ...activity.retention.map(
          (r) =>
            `| ${md(r.schedule)} | ${md(r.description)} | ${r.days} days${r.tenantChosen ? ` (chosen by the organisation; default ${r.defaultDays})` : ''} | ${whenDue[r.action] ?? md(r.action)} | ${md(r.basis)} |`,
        ),
      );
    }
  });
  out.push(
    '',
    '## Technical and organisational security measures',
    '',
    ...record.security.map((m) => `- ${md(m)}`),
    '',
    '## Transfers to third countries',
    '',
  );
  if (record.transfers.length === 0) out.push('None.');
  else {
    out.push(
      '| Recipient | Country | Safeguard |',
      '|---|---|---|',
      ...record.transfers.map((t) => `| ${md(t.recipient)} | ${md(t.country)} | ${md(t.safeguard)} |`),
    );
  }
  return `${out.join('\n')}\n`;
}
