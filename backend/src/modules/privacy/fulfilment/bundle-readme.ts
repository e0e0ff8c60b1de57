/**
 * README.txt of a bundle: what each file holds and, for an access request, the information GDPR
 * art. 15(1)–(2) requires beside the copy (purposes, categories, recipients, retention, rights, the
 * right to complain, the source, automated decisions, transfers). Generated from the declarations in
 * policies/privacy/ (processing.yaml, retention.yaml, the data map) for the tables the copy holds, so
 * the text always matches what the platform does.
 */
import { type DataOrigin, effectiveDays, type MappedTable, type PrivacyDeclarations } from '@custos/policies';

export interface BundleFile {
  table: MappedTable;
  rows: number;
}

export interface ReadmeInput {
  type: 'access' | 'portability';
  reference: string;
  generatedAt: string;
  jurisdiction: { name: string; complaintAuthority: string } | null;
  files: readonly BundleFile[];
  /** Events in audit-trail.json (access only). */
  trailEvents: number | null;
  /** The tenant's chosen retention periods, by schedule id. */
  tenantDays: ReadonlyMap<string, number>;
}

const authorities: Record<string, string> = {
  'supervisory-authority':
    'the data protection supervisory authority of the EU member state where you live, work or where the infringement took place (GDPR art. 77)',
  ico: 'the Information Commissioner’s Office (ico.org.uk), UK GDPR art. 77',
  'hhs-ocr': 'the U.S. Department of Health and Human Services, Office for Civil Rights (45 CFR 160.306)',
  cppa: 'the California Privacy Protection Agency',
};

const origins: Record<DataOrigin, string> = {
  provided: 'you gave it to us (your requests, consent and account details)',
  observed:
    'it was observed about you (measurements of the devices that monitor you, your use of the platform)',
  organisation: 'your organisation recorded it (patient code, care relationships, device assignments)',
  platform: 'the platform keeps it as a record of what was done, for accountability',
};

const list = (items: readonly string[]) => (items.length ? items.map((i) => `  - ${i}`) : ['  - none']);

export function bundleReadme(input: ReadmeInput, declarations: PrivacyDeclarations): string {
  const present = input.files.filter((f) => f.rows > 0);
  const categories = new Set(
    present.flatMap((f) => f.table.columns.filter((c) => c.personal).map((c) => c.category)),
  );
  if (input.trailEvents) categories.add('user.audit.sealed');
  const lines = [
    `Custos: ${input.type === 'access' ? 'a copy of your personal data' : 'your data in a portable format'}`,
    `Request ${input.reference}, generated ${input.generatedAt}`,
    '',
    'FILES',
    ...present.flatMap((f) => [
      `  data/${f.table.name}.json and data/${f.table.name}.csv (${f.rows} ${f.rows === 1 ? 'record' : 'records'})`,
      `    ${f.table.description}`,
    ]),
    ...(input.trailEvents !== null
      ? [
          `  audit-trail.json (${input.trailEvents} events)`,
          '    Who did what with your data, and when. Other people appear by kind only; "you": true marks what you did.',
        ]
      : []),
    '  manifest.json: the number of records and the SHA-256 of every file, to check the copy is complete.',
    'JSON files hold an array of records; CSV files (RFC 4180) the same records, with the column names first.',
    'Times are UTC (ISO 8601). A CSV value that starts with = + - or @ is prefixed with an apostrophe.',
  ];
  if (input.type === 'portability') return `${lines.join('\n')}\n`;

  const purposes = declarations.processing.purposes.filter((p) =>
    p.categories.some((c) => categories.has(c)),
  );
  const tables = new Set(present.map((f) => f.table.name));
  const schedules = declarations.schedules.filter(
    (s) => tables.has(s.table) || (input.trailEvents && s.table === 'audit_events'),
  );
  const sources = [...new Set(present.map((f) => f.table.origin))];
  lines.push(
    '',
    'WHY WE PROCESS YOUR DATA, AND ON WHICH LEGAL BASIS (GDPR art. 15(1)(a))',
    ...list(purposes.map((p) => `${p.name}: ${p.description} Legal basis: ${p.basis}`)),
    '',
    'CATEGORIES OF PERSONAL DATA CONCERNED (art. 15(1)(b))',
    ...list(
      [...categories].sort().map((name) => {
        const category = declarations.dataMap.categories.get(name);
        return `${category?.description ?? name}${category?.special ? ' (special category: health data)' : ''}`;
      }),
    ),
    '',
    'WHO RECEIVES IT (art. 15(1)(c))',
    ...list([...new Set(purposes.flatMap((p) => p.recipients))]),
    '  The audit trail (audit-trail.json) lists each access to your data.',
    '',
    'HOW LONG IT IS KEPT (art. 15(1)(d))',
    ...list(
      schedules.map(
        (s) =>
          `${s.description} ${effectiveDays(s, input.tenantDays.get(s.id))} days (${s.action}). ${s.basis}`,
      ),
    ),
    '',
    'YOUR RIGHTS (art. 15(1)(e), art. 16–21)',
    '  You may ask us to correct your data, to erase it, to restrict its processing, to object to processing',
    '  based on legitimate interests or for analytics and research, and for a copy in a portable format.',
    '  Use the privacy portal of your organisation, or contact its privacy officer.',
    '',
    'YOUR RIGHT TO COMPLAIN (art. 15(1)(f))',
    `  You may lodge a complaint with ${authorities[input.jurisdiction?.complaintAuthority ?? 'supervisory-authority'] ?? 'a supervisory authority'}.`,
    '',
    'WHERE THE DATA COMES FROM (art. 15(1)(g))',
    ...list(sources.map((origin) => origins[origin])),
    '',
    'AUTOMATED DECISIONS (art. 15(1)(h))',
    '  None: no decision about you is taken by automated means alone, and you are not profiled.',
    '',
    'TRANSFERS OUTSIDE THE EEA (art. 15(2))',
    ...list(declarations.processing.transfers.map((t) => `${t.recipient} (${t.country}): ${t.safeguard}`)),
  );
  return `${lines.join('\n')}\n`;
}
