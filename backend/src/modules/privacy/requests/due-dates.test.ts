/**
 * Due-date arithmetic, by example (month ends, leap years, weekends, daylight-saving changes in
 * Berlin, Los Angeles and Auckland) and by property over random instants and time zones.
 */
import { type DeadlineRule, deadlineRule, loadPrivacyDeclarations } from '@custos/policies';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dueDate, endOfLocalDay, extendedDueDate, isTimeZone } from './due-dates.js';

const jurisdiction = (id: string) => {
  const found = loadPrivacyDeclarations().jurisdictions.find((j) => j.id === id);
  if (!found) throw new Error(`no jurisdiction ${id}`);
  return found;
};
const gdpr = deadlineRule(jurisdiction('gdpr'), 'access');
const hipaa = deadlineRule(jurisdiction('hipaa'), 'access');
const ccpaOptOut = deadlineRule(jurisdiction('ccpa'), 'objection');
const noRollover: DeadlineRule = { ...gdpr, weekendRollover: false };

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString();
const local = (date: Date, zone: string) => DateTime.fromJSDate(date, { zone });

describe('GDPR: one month, extended by two, weekends roll over', () => {
  it('clamps one month from 31 January to the end of February, in common and leap years', () => {
    expect(iso(dueDate(at('2025-01-31T10:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-02-28T22:59:59.999Z');
    expect(iso(dueDate(at('2024-01-31T10:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2024-02-29T22:59:59.999Z');
    expect(iso(dueDate(at('2024-03-31T10:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2024-04-30T21:59:59.999Z');
  });

  it('moves a deadline on a Saturday or Sunday to the end of the next Monday', () => {
    // 1 March 2025 is a Saturday.
    expect(iso(dueDate(at('2025-02-01T09:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-03-03T22:59:59.999Z');
    // 2 November 2025 is a Sunday.
    expect(iso(dueDate(at('2025-10-02T09:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-11-03T22:59:59.999Z');
    expect(iso(dueDate(at('2025-02-01T09:00:00Z'), 'Europe/Berlin', noRollover))).toBe(
      '2025-03-01T22:59:59.999Z',
    );
  });

  it('ends the deadline at local midnight across the spring and autumn clock changes in Berlin', () => {
    // Received before the change (CET), due after it (CEST): the deadline is 22:00 UTC.
    expect(iso(dueDate(at('2025-03-01T09:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-04-01T21:59:59.999Z');
    // Received on the day of the change itself.
    expect(iso(dueDate(at('2025-03-30T01:30:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-04-30T21:59:59.999Z');
    // Received in summer time, due in winter time.
    expect(iso(dueDate(at('2025-10-01T09:00:00Z'), 'Europe/Berlin', gdpr))).toBe('2025-11-03T22:59:59.999Z');
  });

  it('counts from the local date: late evening in Auckland is already the next day', () => {
    // 31 March 20:00 UTC is 1 April 09:00 in Auckland (NZDT); daylight saving ends on 6 April.
    const received = at('2025-03-31T20:00:00Z');
    expect(iso(dueDate(received, 'Pacific/Auckland', gdpr))).toBe('2025-05-01T11:59:59.999Z');
    expect(iso(dueDate(received, 'UTC', gdpr))).toBe('2025-04-30T23:59:59.999Z');
  });

  it('extends by two months from the original deadline, before its weekend roll-over', () => {
    expect(iso(extendedDueDate(at('2025-01-31T10:00:00Z'), 'Europe/Berlin', gdpr))).toBe(
      '2025-04-28T21:59:59.999Z',
    );
    // Due Saturday 1 March (rolled to Monday 3 March); extended from 1 March to Thursday 1 May.
    expect(iso(extendedDueDate(at('2025-02-01T09:00:00Z'), 'Europe/Berlin', gdpr))).toBe(
      '2025-05-01T21:59:59.999Z',
    );
    // 30 November + 1 month = 30 December; + 2 months = 28 February (clamped), a Friday.
    expect(iso(extendedDueDate(at('2024-11-30T10:00:00Z'), 'Europe/Berlin', gdpr))).toBe(
      '2025-02-28T22:59:59.999Z',
    );
  });
});

describe('HIPAA: 30 days, one 30-day extension, no roll-over', () => {
  it('counts calendar days across the end of daylight saving in Los Angeles', () => {
    // Received 15 October (PDT); due 14 November (PST, clocks went back on 2 November).
    const received = at('2025-10-15T19:00:00Z');
    expect(iso(dueDate(received, 'America/Los_Angeles', hipaa))).toBe('2025-11-15T07:59:59.999Z');
    expect(iso(extendedDueDate(received, 'America/Los_Angeles', hipaa))).toBe('2025-12-15T07:59:59.999Z');
  });

  it('keeps a deadline that falls on a weekend (HIPAA counts calendar days only)', () => {
    // 24 January 2025 + 30 days = Sunday 23 February (PST).
    const due = dueDate(at('2025-01-24T18:00:00Z'), 'America/Los_Angeles', hipaa);
    expect(iso(due)).toBe('2025-02-24T07:59:59.999Z');
    expect(local(due, 'America/Los_Angeles').weekday).toBe(7);
  });

  it('uses the amendment period (60 + 30 days) for rectification', () => {
    const amend = deadlineRule(jurisdiction('hipaa'), 'rectification');
    const received = at('2025-01-10T18:00:00Z');
    // 10 January + 60 days = 11 March (EDT from 9 March); + 30 days = 10 April.
    expect(iso(dueDate(received, 'America/New_York', amend))).toBe('2025-03-12T03:59:59.999Z');
    expect(iso(extendedDueDate(received, 'America/New_York', amend))).toBe('2025-04-11T03:59:59.999Z');
  });
});

describe('CCPA opt-out: 15 business days, no extension', () => {
  it('skips weekends while counting and allows no extension', () => {
    // Friday 6 June 2025 + 15 business days = Friday 27 June (PDT).
    const received = at('2025-06-06T17:00:00Z');
    expect(iso(dueDate(received, 'America/Los_Angeles', ccpaOptOut))).toBe('2025-06-28T06:59:59.999Z');
    expect(extendedDueDate(received, 'America/Los_Angeles', ccpaOptOut)).toBeNull();
  });
});

describe('days without a midnight or without their last hour', () => {
  it('ends a day that loses its last hour (America/Nuuk springs forward at 23:00 in 2025)', () => {
    // 29 March 2025 in Nuuk ends at 22:59:59.999 local (-02:00), i.e. 00:59:59.999 UTC.
    const rule: DeadlineRule = { ...hipaa, answer: { days: 1 } };
    expect(iso(dueDate(at('2025-03-28T12:00:00Z'), 'America/Nuuk', rule))).toBe('2025-03-30T00:59:59.999Z');
  });

  it('ends a day before a midnight that occurs twice (Asia/Tehran set clocks back at 01:00 on 5 August 1978)', () => {
    const end = endOfLocalDay(DateTime.fromISO('1978-08-04') as DateTime<true>, 'Asia/Tehran');
    expect(end.toISOString()).toBe('1978-08-04T18:59:59.999Z');
  });

  it('ends the day before a midnight that does not exist (America/Santiago, September 2025)', () => {
    // 7 September 2025 starts at 01:00 -03:00 in Santiago; 6 September ends at 23:59:59.999 -04:00.
    const rule: DeadlineRule = { ...hipaa, answer: { days: 1 } };
    expect(iso(dueDate(at('2025-09-05T15:00:00Z'), 'America/Santiago', rule))).toBe(
      '2025-09-07T03:59:59.999Z',
    );
  });
});

describe('time zone names', () => {
  it('accepts IANA names only', () => {
    expect(
      ['Europe/Berlin', 'UTC', 'Pacific/Auckland', 'America/Argentina/Buenos_Aires'].every(isTimeZone),
    ).toBe(true);
    expect(
      ['Mars/Olympus', '+03:00', 'UTC+3', '', 'Europe/Berlin\u0000', 'x'.repeat(80)].some(isTimeZone),
    ).toBe(false);
  });
});

// ── properties over random instants (1970–2100) and zones ──
const zones = [
  'Europe/Berlin',
  'America/Los_Angeles',
  'Pacific/Auckland',
  'America/Santiago',
  'America/Nuuk',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'UTC',
  'Asia/Tehran',
  'America/St_Johns',
];
const instant = fc.date({
  min: new Date('1970-01-02T00:00:00Z'),
  max: new Date('2100-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const zone = fc.constantFrom(...zones);
const rules = fc.constantFrom(
  gdpr,
  noRollover,
  hipaa,
  ccpaOptOut,
  deadlineRule(jurisdiction('hipaa'), 'rectification'),
  deadlineRule(jurisdiction('ccpa'), 'access'),
);
const dateOf = (date: Date, tz: string) => local(date, tz).toISODate() as string;

describe('properties', () => {
  it('a deadline is always the last millisecond of a local day, after the day received', () => {
    fc.assert(
      fc.property(instant, zone, rules, (received, tz, rule) => {
        const due = dueDate(received, tz, rule);
        expect(dateOf(due, tz)).not.toBe(dateOf(new Date(due.getTime() + 1), tz));
        expect(dateOf(due, tz) > dateOf(received, tz)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('with roll-over, never a Saturday or Sunday, and at most two days after the plain deadline', () => {
    fc.assert(
      fc.property(instant, zone, (received, tz) => {
        const rolled = local(dueDate(received, tz, gdpr), tz);
        const plain = local(dueDate(received, tz, noRollover), tz);
        expect(rolled.weekday).toBeLessThanOrEqual(5);
        const days = rolled.startOf('day').diff(plain.startOf('day'), 'days').days;
        expect([0, 1, 2]).toContain(Math.round(days));
      }),
      { numRuns: 1000 },
    );
  });

  it('one month lands on the same day of the month, or the last day of a shorter month', () => {
    fc.assert(
      fc.property(instant, zone, (received, tz) => {
        const from = local(received, tz);
        const due = local(dueDate(received, tz, noRollover), tz);
        const target = from.startOf('month').plus({ months: 1 });
        expect([due.year, due.month]).toEqual([target.year, target.month]);
        expect(due.day).toBe(Math.min(from.day, target.daysInMonth as number));
      }),
      { numRuns: 1000 },
    );
  });

  it('HIPAA is exactly 30 local calendar days, its extension 30 more from the original deadline', () => {
    fc.assert(
      fc.property(instant, zone, (received, tz) => {
        const from = DateTime.fromISO(dateOf(received, tz), { zone: 'utc' });
        const due = DateTime.fromISO(dateOf(dueDate(received, tz, hipaa), tz), { zone: 'utc' });
        const extended = extendedDueDate(received, tz, hipaa) as Date;
        const ext = DateTime.fromISO(dateOf(extended, tz), { zone: 'utc' });
        expect(due.diff(from, 'days').days).toBe(30);
        expect(ext.diff(due, 'days').days).toBe(30);
      }),
      { numRuns: 1000 },
    );
  });

  it('never moves earlier when the request arrives later, and an extension is never earlier than the deadline', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 90 * 86_400_000 }),
        zone,
        rules,
        (received, later, tz, rule) => {
          const first = dueDate(received, tz, rule);
          expect(dueDate(new Date(received.getTime() + later), tz, rule).getTime()).toBeGreaterThanOrEqual(
            first.getTime(),
          );
          const extended = extendedDueDate(received, tz, rule);
          if (extended) expect(extended.getTime()).toBeGreaterThan(first.getTime());
        },
      ),
      { numRuns: 1000 },
    );
  });
});
