import { describe, expect, it } from 'vitest';
import { type StateFacts, transition } from './request-states.js';

const base: StateFacts = {
  status: 'received',
  identityVerifiedAt: null,
  extendedDueAt: null,
  subjectPatientId: null,
  subjectUserId: null,
  jobState: null,
};
const verified: StateFacts = {
  ...base,
  status: 'identity-verified',
  identityVerifiedAt: '2026-01-01T00:00:00.000Z',
  subjectPatientId: 'p',
};

describe('request states', () => {
  it('runs the main path: received → identity-verified → in-progress → completed', () => {
    expect(transition('verify-identity', base)).toEqual({ ok: true, status: 'identity-verified' });
    expect(transition('process', verified)).toEqual({ ok: true, status: 'in-progress' });
    expect(transition('complete', { ...verified, status: 'in-progress', jobState: 'running' })).toEqual({
      ok: true,
      status: 'completed',
    });
  });

  it('extends once; processing may start from extended; extending during processing keeps in-progress', () => {
    expect(transition('extend', verified)).toEqual({ ok: true, status: 'extended' });
    const extended = { ...verified, status: 'extended' as const, extendedDueAt: '2026-03-01T00:00:00.000Z' };
    expect(transition('extend', extended).ok).toBe(false);
    expect(transition('process', extended)).toEqual({ ok: true, status: 'in-progress' });
    expect(transition('extend', { ...verified, status: 'in-progress' })).toEqual({
      ok: true,
      status: 'in-progress',
    });
    // Verified after the extension: the request keeps saying it is extended.
    expect(transition('verify-identity', { ...base, status: 'extended', extendedDueAt: 'x' })).toEqual({
      ok: true,
      status: 'extended',
    });
  });

  it('refuses processing without a verified identity or a linked subject', () => {
    expect(transition('process', base).ok).toBe(false);
    expect(transition('process', { ...verified, subjectPatientId: null }).ok).toBe(false);
    expect(transition('process', { ...verified, subjectPatientId: null, subjectUserId: 'u' }).ok).toBe(true);
    expect(
      transition('process', { ...base, status: 'extended', extendedDueAt: 'x', subjectUserId: 'u' }).ok,
    ).toBe(false);
  });

  it('processes an in-progress request again only after its job failed for good', () => {
    const inProgress = { ...verified, status: 'in-progress' as const };
    expect(transition('process', { ...inProgress, jobState: 'running' }).ok).toBe(false);
    expect(transition('process', { ...inProgress, jobState: 'failed' })).toEqual({
      ok: true,
      status: 'in-progress',
    });
  });

  it('rejects from any open state except while the job runs, and nothing leaves a closed state', () => {
    for (const status of ['received', 'identity-verified', 'extended'] as const) {
      expect(transition('reject', { ...base, status })).toEqual({ ok: true, status: 'rejected' });
    }
    expect(transition('reject', { ...verified, status: 'in-progress', jobState: 'queued' }).ok).toBe(false);
    expect(transition('reject', { ...verified, status: 'in-progress', jobState: 'failed' }).ok).toBe(true);
    for (const status of ['completed', 'rejected'] as const) {
      for (const step of ['assign', 'verify-identity', 'extend', 'reject', 'process', 'complete'] as const) {
        expect(transition(step, { ...verified, status }).ok).toBe(false);
      }
    }
  });
});
