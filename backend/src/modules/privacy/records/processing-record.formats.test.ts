import { loadPrivacyDeclarations } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { buildProcessingRecord } from './processing-record.builder.js';
import { csvColumns, csvField, md, toCsv, toMarkdown } from './processing-record.formats.js';

const record = (name = 'Acme Health', retentionDays = new Map<string, number>()) =>
  buildProcessingRecord(
    loadPrivacyDeclarations(),
    { id: '0a1c0000-0000-4000-8000-000000000001', name, retentionDays },
    new Date('2026-03-01T12:00:00.000Z'),
  );

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+1', "'=1+1"],
    ['+49 30', "'+49 30"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['=A1,B1', `"'=A1,B1"`],
  ])('%j becomes %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('Markdown text', () => {
  it('escapes what would format, link, embed HTML or break a table, and keeps one line', () => {
    expect(md('*x* [a](b) <img> a|b #1 `c` \\')).toBe('\\*x\\* \\[a\\](b) \\<img\\> a\\|b \\#1 \\`c\\` \\\\');
    expect(md('one\r\ntwo\nthree')).toBe('one two three');
    expect(md('device_state')).toBe('device_state');
  });
});

describe('the exported documents', () => {
  it('CSV: a header and one CRLF-terminated row per activity and category', () => {
    const csv = toCsv(record());
    expect(csv.startsWith(`\ufeff${csvColumns.join(',')}\r\n`)).toBe(true);
    const rows = csv.slice(1).split('\r\n').filter(Boolean);
    const { purposes } = loadPrivacyDeclarations().processing;
    expect(rows).toHaveLength(1 + purposes.reduce((n, p) => n + p.categories.length, 0));
  });

  it('Markdown: every activity as a numbered section, the chosen periods, the measures and no transfers', () => {
    const text = toMarkdown(record('Acme', new Map([['telemetry.health', 400]])));
    const { purposes, security } = loadPrivacyDeclarations().processing;
    for (const [i, p] of purposes.entries()) expect(text).toContain(`### ${i + 1}. ${p.name}\n`);
    expect(text).toContain('| 400 days (chosen by the organisation; default 90) |');
    for (const m of security) expect(text).toContain(`- ${md(m)}\n`);
    expect(text).toMatch(/## Transfers to third countries\n\nNone\.\n$/);
  });
});
