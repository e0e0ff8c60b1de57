import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors/app-error.js';
import { checkBreach, clocksOf, notificationDueAt, notificationOverdue } from './breach-rules.js';
import type { Breach } from './breaches.dto.js';

const HOUR = 3_600_000;
const detectedAt = '2026-03-01T00:00:00.000Z';
const detected = Date.parse(detectedAt);
const at = (hours: number) => new Date(detected + hours * HOUR).toISOString();

const breach = (change: Partial<Breach> = {}): Breach => {
  const base: Breach = {
    id: '00000000-0000-4000-8000-000000000001',
    tenantId: '00000000-0000-4000-8000-000000000002',
    reference: 'BR-0000-0000',
    title: 't',
    description: 'd',
    categories: [],
    subjectsAffected: null,
    recordsAffected: null,
    likelyConsequences: null,
    measures: null,
    risk: 'risk',
    status: 'open',
    occurredAt: null,
    detectedAt,
    notificationDueAt: notificationDueAt(detectedAt),
    authorityNotifiedAt: null,
    lateNotificationReason: null,
    subjectsNotifiedAt: null,
    createdBy: '00000000-0000-4000-8000-000000000003',
    createdAt: detectedAt,
    updatedAt: detectedAt,
    version: 1,
  };
  const next = { ...base, ...change };
  return { ...next, notificationDueAt: notificationDueAt(next.detectedAt) };
};

const codeOf = (run: () => void): [string, string | null] | null => {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return [error.code, error.options.errors?.[0]?.path ?? null];
  }
};

describe('the 72-hour clock (GDPR art. 33(1))', () => {
  it('is due 72 hours after detection', () => {
    expect(notificationDueAt(detectedAt)).toBe(at(72));
  });

  it('is overdue from the due time while the authority is not notified and the risk is not unlikely', () => {
    expect(notificationOverdue(breach(), detected + 71.9 * HOUR)).toBe(false);
    expect(notificationOverdue(breach(), detected + 72 * HOUR)).toBe(true);
    expect(notificationOverdue(breach({ risk: 'unassessed' }), detected + 80 * HOUR)).toBe(true);
    expect(notificationOverdue(breach({ risk: 'unlikely' }), detected + 80 * HOUR)).toBe(false);
    expect(notificationOverdue(breach({ authorityNotifiedAt: at(90) }), detected + 100 * HOUR)).toBe(false);
  });

  it('gives the people affected 60 days (HIPAA §164.404(b))', () => {
    const clocks = clocksOf(breach({ risk: 'high' }), detected + 61 * 24 * HOUR);
    expect(clocks.subjectsNotificationDueAt).toBe(at(60 * 24));
    expect(clocks.subjectsNotificationOverdue).toBe(true);
    expect(
      clocksOf(breach({ risk: 'high', subjectsNotifiedAt: at(10) }), detected + 61 * 24 * HOUR)
        .subjectsNotificationOverdue,
    ).toBe(false);
  });
});

describe('the rules of a register entry', () => {
  it('accepts a notification within 72 hours without a reason, and a late one only with reasons', () => {
    expect(codeOf(() => checkBreach(breach({ authorityNotifiedAt: at(72) })))).toBeNull();
    expect(codeOf(() => checkBreach(breach({ authorityNotifiedAt: at(73) })))).toEqual([
      'late_notification_reason_required',
      'lateNotificationReason',
    ]);
    expect(
      codeOf(() => checkBreach(breach({ authorityNotifiedAt: at(73), lateNotificationReason: 'forensics' }))),
    ).toBeNull();
  });

  it('refuses times in the wrong order', () => {
    expect(codeOf(() => checkBreach(breach({ occurredAt: at(1) })))).toEqual([
      'validation_failed',
      'occurredAt',
    ]);
    expect(codeOf(() => checkBreach(breach({ authorityNotifiedAt: at(-1) })))).toEqual([
      'validation_failed',
      'authorityNotifiedAt',
    ]);
    expect(codeOf(() => checkBreach(breach({ subjectsNotifiedAt: at(-1) })))).toEqual([
      'validation_failed',
      'subjectsNotifiedAt',
    ]);
    expect(codeOf(() => checkBreach(breach({ occurredAt: at(-24) })))).toBeNull();
  });

  it('closes a breach only once its risk is assessed and, unless unlikely, the authority notified', () => {
    expect(codeOf(() => checkBreach(breach({ status: 'closed', risk: 'unassessed' })))?.[0]).toBe(
      'invalid_state_transition',
    );
    expect(codeOf(() => checkBreach(breach({ status: 'closed', risk: 'high' })))?.[0]).toBe(
      'invalid_state_transition',
    );
    expect(codeOf(() => checkBreach(breach({ status: 'closed', risk: 'unlikely' })))).toBeNull();
    expect(
      codeOf(() => checkBreach(breach({ status: 'closed', risk: 'high', authorityNotifiedAt: at(5) }))),
    ).toBeNull();
  });
});
