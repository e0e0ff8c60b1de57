import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuditSearch, apiFilter, localToIso, parseAuditSearch, unreadableTimes } from './search-query';

// Off UTC (and not by whole hours), so a time read as local would show.
beforeAll(() => {
  vi.stubEnv('TZ', 'Asia/Kathmandu');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('localToIso', () => {
  it('reads a datetime-local value as UTC, with or without seconds, whatever the local zone', () => {
    expect(new Date(2026, 2, 1).getTimezoneOffset()).toBe(-345);
    expect(localToIso('2026-03-01T08:30')).toBe('2026-03-01T08:30:00.000Z');
    expect(localToIso('2026-03-01T08:30:15')).toBe('2026-03-01T08:30:15.000Z');
    expect(localToIso('2024-02-29T23:59:59')).toBe('2024-02-29T23:59:59.000Z');
  });

  it.each([
    '',
    '2026-03-01',
    '2026-03-01 08:30',
    '2026-03-01T08:30Z',
    '2026-03-01T08:30:00.000',
    '2026-03-01T08:30:00+02:00',
    '2026-13-01T08:30',
    '2026-03-01T25:00',
    '2026-03-32T08:30',
    // Values Date would roll over into a different instant.
    '2026-02-30T08:30',
    '2026-02-29T08:30',
    '2026-03-01T24:00',
    '2026-03-01T08:60',
    '2026-03-01T08:30:60',
    ' 2026-03-01T08:30',
    'yesterday',
  ])('gives undefined for %j', (value) => {
    expect(localToIso(value)).toBeUndefined();
  });
});

const empty = parseAuditSearch({});

describe('apiFilter', () => {
  it('is empty for an empty search', () => {
    expect(apiFilter(empty)).toEqual({});
  });

  it('keeps only the filled fields, converts the times and leaves out the cursor', () => {
    const search: AuditSearch = {
      ...empty,
      from: '2026-01-01T00:00',
      to: '2026-01-31T12:00:30',
      action: 'device.activate',
      outcome: 'denied',
      resourceType: 'Device',
      cursor: 'opaque-cursor',
    };
    expect(apiFilter(search)).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-31T12:00:30.000Z',
      action: 'device.activate',
      outcome: 'denied',
      resourceType: 'Device',
    });
  });

  it('passes every other filled field through unchanged', () => {
    const search: AuditSearch = {
      ...empty,
      actorId: 'actor-1',
      resourceId: 'device-9',
      tenantId: 'tenant-a',
      subject: 'alice',
      subjectKind: 'patient',
      subjectId: 'patient-7',
    };
    expect(apiFilter(search)).toEqual({
      actorId: 'actor-1',
      resourceId: 'device-9',
      tenantId: 'tenant-a',
      subject: 'alice',
      subjectKind: 'patient',
      subjectId: 'patient-7',
    });
  });

  it('leaves out a time it cannot read', () => {
    expect(apiFilter({ ...empty, from: 'not a time', to: '2026-01-01T00:00' })).toEqual({
      to: '2026-01-01T00:00:00.000Z',
    });
  });
});

describe('unreadableTimes', () => {
  it('names the times given that cannot be read, so the search is not run without them', () => {
    expect(unreadableTimes({ ...empty, from: 'not a time', to: '2026-02-30T00:00' })).toEqual(['from', 'to']);
    expect(unreadableTimes({ ...empty, from: '2026-01-01T00:00' })).toEqual([]);
    expect(unreadableTimes(empty)).toEqual([]);
  });
});
