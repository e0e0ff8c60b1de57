import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical.js';
import type { AuditEntry } from '../catalog.js';
import { CSV_COLUMNS, CSV_HEADER, csvCell, csvRow, payloadText } from './csv.js';
import { makeLog } from './fixture.test-helper.js';

/** A strict RFC 4180 reader for one record (CRLF-terminated), to read back what csvRow wrote. */
function parseRecord(text: string): string[] {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          cell += text[i];
        }
      }
    } else {
      while (text[i] !== ',' && text[i] !== '\r') cell += text[i++];
    }
    cells.push(cell);
    if (text[i] === '\r') {
      expect(text.slice(i)).toBe('\r\n');
      return cells;
    }
    i++;
  }
}

describe('csvCell', () => {
  it('writes null as an empty cell and plain values as they are', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell('device.updated')).toBe('device.updated');
  });

  it('quotes cells with commas, quotes or line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])(
    'neutralises the formula-like cell %j with a quote',
    (value) => {
      expect(parseRecord(`${csvCell(value)}\r\n`)).toEqual([`'${value}`]);
    },
  );
});

describe('csvRow', () => {
  const log = makeLog(4); // seqs 0–3: device updates

  it('has one cell per column, in the header order', () => {
    expect(parseRecord(CSV_HEADER)).toEqual([...CSV_COLUMNS]);
    for (const line of log.entries) {
      const entry = JSON.parse(line) as AuditEntry;
      const cells = parseRecord(csvRow(entry, 'ab'.repeat(32)));
      expect(cells).toHaveLength(CSV_COLUMNS.length);
      const row = Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, cells[i]]));
      expect(row).toMatchObject({
        seq: String(entry.seq),
        time: entry.time,
        type: entry.type,
        actor_roles: 'operator;auditor',
        on_behalf_of: '',
        payload: `{"after":{"model":"X-${entry.seq}"},"changed":["model"]}`,
        sealed: entry.sealed ? 'yes' : 'no',
        prev_hash: entry.prevHash,
        leaf_hash: 'ab'.repeat(32),
      });
    }
  });

  it('keeps a hostile user agent as inert text', () => {
    const entry = JSON.parse(log.entries[0] as string) as AuditEntry;
    const cells = parseRecord(csvRow(entry, 'ab'.repeat(32)));
    expect(cells[CSV_COLUMNS.indexOf('user_agent')]).toBe(`'=HYPERLINK("http://x","a,b")\nnext`);
  });
});

describe('payloadText', () => {
  it('is the canonical JSON of the payload of any canonical entry, even one full of look-alike keys', () => {
    const text = fc.string({ unit: 'binary' });
    const payload = fc.dictionary(fc.oneof(text, fc.constant('payload')), fc.jsonValue());
    fc.assert(
      fc.property(payload, text, text, (value, actorId, outcome) => {
        const entry = canonicalJson({
          actor: { id: actorId, kind: 'user' },
          outcome,
          payload: value,
          seq: 1,
          v: 1,
        });
        expect(payloadText(entry)).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('is null for text without an object payload', () => {
    expect(payloadText('{"outcome":"x"}')).toBeNull();
    expect(payloadText('{"payload":1}')).toBeNull();
    expect(payloadText('{"payload":{"a":[1,2}')).toBeNull();
  });
});
