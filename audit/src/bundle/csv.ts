/**
 * The CSV view of exported entries, for auditors who work in spreadsheets. The writer produces it and
 * the verifier derives the same rows from the JSONL to prove the two agree: the CSV is a convenience,
 * but a spreadsheet that silently disagrees with the signed record would be worse than none.
 */

import { canonicalJson } from '../canonical.js';
import type { AuditEntry } from '../catalog.js';

export const CSV_COLUMNS = [
  'seq',
  'time',
  'type',
  'outcome',
  'actor_kind',
  'actor_id',
  'actor_roles',
  'actor_tenant_id',
  'on_behalf_of',
  'resource_type',
  'resource_id',
  'resource_tenant_id',
  'subject',
  'purpose_of_use',
  'request_id',
  'source_ip',
  'user_agent',
  'payload',
  'sealed',
  'prev_hash',
  'leaf_hash',
] as const;

/** RFC 4180 line ending. */
const EOL = '\r\n';

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}${EOL}`;

const NEEDS_QUOTES = /[",\r\n]/;

/** `=`, `+`, `-`, `@`, tab and CR make spreadsheets treat a cell as a formula (CSV injection). */
function startsLikeFormula(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d;
}

/**
 * One cell: null becomes empty; a value that a spreadsheet would run as a formula gets a leading `'`
 * (so an attacker-chosen user agent like `=HYPERLINK(...)` stays text); quotes per RFC 4180.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = startsLikeFormula(String(value)) ? `'${value}` : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The payload's JSON exactly as it appears in a canonical entry, found without parsing: in RFC 8785
 * text every nested value is itself canonical, so this is canonicalJson(entry.payload) at a fraction of
 * the cost (it matters at a million rows). The top-level keys are sorted and only "actor" and "outcome"
 * precede "payload", and `"payload":` cannot occur inside a JSON string (a quote there is escaped), so
 * the first match is the top-level key. Null if the text does not have that shape.
 */
export function payloadText(entryText: string): string | null {
  const key = '"payload":';
  const start = entryText.indexOf(key) + key.length;
  if (start < key.length || entryText.charCodeAt(start) !== 0x7b) return null;
  let depth = 0;
  for (let i = start; i < entryText.length; i++) {
    const c = entryText.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included.
      for (i++; i < entryText.length && entryText.charCodeAt(i) !== 0x22; i++) {
        if (entryText.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
    } else if ((c === 0x7d || c === 0x5d) && --depth === 0) {
      return entryText.slice(start, i + 1);
    }
  }
  return null;
}

/**
 * The CSV row of an entry, with its line ending. `leafHashHex` is the hash of the entry's JSONL line;
 * `payloadJson` the canonical JSON of its payload (payloadText of the line, when the caller has it).
 */
export function csvRow(
  entry: AuditEntry,
  leafHashHex: string,
  payloadJson = canonicalJson(entry.payload),
): string {
  const cells: (string | number | null)[] = [
    entry.seq,
    entry.time,
    entry.type,
    entry.outcome,
    entry.actor.kind,
    entry.actor.id,
    entry.actor.roles.join(';'),
    entry.actor.tenantId,
    entry.actor.onBehalfOf,
    entry.resource.type,
    entry.resource.id,
    entry.resource.tenantId,
    entry.subject,
    entry.purposeOfUse,
    entry.requestId,
    entry.source.ip,
    entry.source.userAgent,
    payloadJson,
    entry.sealed === null ? 'no' : 'yes',
    entry.prevHash,
    leafHashHex,
  ];
  let row = csvCell(cells[0] as number);
  for (let i = 1; i < cells.length; i++) row += `,${csvCell(cells[i] as string | number | null)}`;
  return `${row}${EOL}`;
}
