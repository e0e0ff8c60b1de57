/** Which purposes an objection can stop (processing.yaml), and what the requester is told about the rest. */
import { loadPrivacyDeclarations } from '@custos/policies';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors/app-error.js';
import { objectionFlags } from './restrict.js';

const { purposes } = loadPrivacyDeclarations().processing;

describe('objectionFlags', () => {
  it('flags each purpose that allows objecting once', () => {
    const { flags, refused } = objectionFlags(
      ['analytics', 'research', 'analytics', 'fleet-operations'],
      purposes,
    );
    expect(flags).toEqual([
      { kind: 'objection', purpose: 'analytics' },
      { kind: 'objection', purpose: 'research' },
      { kind: 'objection', purpose: 'fleet-operations' },
    ]);
    expect(refused).toEqual([]);
  });

  it('explains purposes that cannot be objected to, and names unknown ones', () => {
    const { flags, refused } = objectionFlags(['care', 'accountability', 'spam'], purposes);
    expect(flags).toEqual([]);
    expect(refused.map((r) => r.reason)).toEqual([
      expect.stringContaining('"care" does not apply'),
      expect.stringContaining('"accountability" does not apply'),
      '"spam" is not a purpose of processing here.',
    ]);
    for (const r of refused) expect(r.reason.length).toBeLessThanOrEqual(200);
  });

  it('refuses an objection that names no purpose', () => {
    expect(() => objectionFlags([], purposes)).toThrow(AppError);
  });
});
