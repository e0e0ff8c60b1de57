import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildJurisdictions, deadlineRule } from './jurisdictions.js';
import { loadPrivacyDeclarations, PrivacyDeclarationError, parsePrivacyDeclarations } from './load.js';

const dir = fileURLToPath(new URL('../../privacy/', import.meta.url));
const text = (name: string) => readFileSync(`${dir}${name}`, 'utf8');
const texts = (jurisdictions: string) => ({
  dataMap: text('data-map.yaml'),
  retention: text('retention.yaml'),
  processing: text('processing.yaml'),
  jurisdictions,
});
const issuesOf = (yamlText: string): string[] => {
  try {
    parsePrivacyDeclarations(texts(yamlText));
  } catch (error) {
    if (error instanceof PrivacyDeclarationError) return error.issues;
    throw error;
  }
  return [];
};

describe('jurisdictions', () => {
  it('load with the statutory periods of GDPR, UK GDPR, HIPAA and CCPA', () => {
    const { jurisdictions } = loadPrivacyDeclarations();
    const byId = new Map(jurisdictions.map((j) => [j.id, j]));
    expect(byId.get('gdpr')).toMatchObject({
      answer: { months: 1 },
      extension: { months: 2 },
      weekendRollover: true,
    });
    expect(byId.get('uk-gdpr')).toMatchObject({
      answer: { months: 1 },
      extension: { months: 2 },
      weekendRollover: true,
    });
    expect(byId.get('hipaa')).toMatchObject({
      answer: { days: 30 },
      extension: { days: 30 },
      weekendRollover: false,
    });
    expect(byId.get('ccpa')).toMatchObject({ answer: { days: 45 }, extension: { days: 45 } });
  });

  it('apply a per-type override where the law sets another period', () => {
    const { jurisdictions } = loadPrivacyDeclarations();
    const hipaa = jurisdictions.find((j) => j.id === 'hipaa');
    const ccpa = jurisdictions.find((j) => j.id === 'ccpa');
    if (!hipaa || !ccpa) throw new Error('missing jurisdictions');
    expect(deadlineRule(hipaa, 'access')).toMatchObject({ answer: { days: 30 }, extension: { days: 30 } });
    expect(deadlineRule(hipaa, 'rectification')).toMatchObject({
      law: expect.stringContaining('164.526'),
      answer: { days: 60 },
      extension: { days: 30 },
    });
    expect(deadlineRule(ccpa, 'objection')).toMatchObject({ answer: { businessDays: 15 }, extension: null });
  });

  it('refuse a duplicate id and an override for a right the law does not grant', () => {
    const document = parse(text('jurisdictions.yaml'));
    document.jurisdictions.push({ ...document.jurisdictions[0] });
    document.jurisdictions[2].overrides.erasure = { law: 'x', answer: { days: 1 }, extension: null };
    expect(buildJurisdictions(document).issues).toEqual([
      'jurisdictions.hipaa.overrides.erasure: not a request type this jurisdiction grants',
      'jurisdictions.gdpr: duplicate id',
    ]);
  });

  it('refuse a period that is not months, days or business days, naming the file', () => {
    const bad = text('jurisdictions.yaml').replace('answer: { days: 30 }', 'answer: { weeks: 4 }');
    expect(issuesOf(bad).join('\n')).toMatch(/^jurisdictions\.yaml jurisdictions\.2\.answer/);
  });
});
