import { describe, expect, it } from 'vitest';
import { breachBody, localValue, utcTime } from './breach-input';

const fields =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';
const base = { title: 'Laptop lost', description: 'An unencrypted laptop was stolen.', risk: 'high' };

describe('utcTime and localValue', () => {
  it('reads a datetime-local value as UTC and back', () => {
    expect(utcTime('2026-03-29T01:30')).toBe('2026-03-29T01:30:00.000Z');
    expect(utcTime('2026-03-29T01:30:15')).toBe('2026-03-29T01:30:15.000Z');
    expect(localValue('2026-03-29T01:30:00.000Z')).toBe('2026-03-29T01:30');
  });

  it('tells an empty field from one it cannot read', () => {
    expect(utcTime('  ')).toBeUndefined();
    expect(utcTime('2026-02-30T10:00')).toBeNull();
    expect(utcTime('yesterday')).toBeNull();
  });
});

describe('breachBody', () => {
  it('records a breach with what was given (detection defaults to now at the API)', () => {
    expect(breachBody(fields({ ...base, subjectsAffected: '12' }), ['user.name'], 'create')).toEqual({
      ok: true,
      body: { ...base, categories: ['user.name'], subjectsAffected: 12 },
    });
  });

  it('clears emptied fields on a change, but never the time of detection', () => {
    const changed = breachBody(
      fields({ ...base, status: 'contained', detectedAt: '', authorityNotifiedAt: '2026-01-02T09:00' }),
      [],
      'edit',
    );
    expect(changed).toMatchObject({
      ok: true,
      body: {
        status: 'contained',
        measures: null,
        occurredAt: null,
        subjectsAffected: null,
        authorityNotifiedAt: '2026-01-02T09:00:00.000Z',
        lateNotificationReason: null,
      },
    });
    expect(changed.ok && 'detectedAt' in changed.body).toBe(false);
  });

  it('names every field at fault', () => {
    expect(
      breachBody(
        fields({ title: '', description: 'd', risk: 'apocalyptic', recordsAffected: '-1', occurredAt: 'x' }),
        [],
        'create',
      ),
    ).toEqual({
      ok: false,
      error: 'invalid_fields',
      fields: ['title', 'recordsAffected', 'risk', 'occurredAt'],
    });
  });
});
