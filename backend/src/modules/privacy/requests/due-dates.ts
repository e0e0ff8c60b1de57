/**
 * Statutory deadlines of data-subject requests, computed in the request's own IANA time zone: the
 * law counts calendar days where the requester lives, not in UTC. Periods run from the day the
 * request was received (that day not counted), and a deadline is the end of its last local day.
 *
 * Months follow Regulation 1182/71 art. 3(2)(c): the same date in the later month, or that month's
 * last day when it has no such date (31 January + 1 month = 28/29 February). Under a jurisdiction
 * with weekend roll-over (art. 3(4)) a deadline falling on a Saturday or Sunday becomes the end of
 * the next Monday. An extension counts from the original deadline before any roll-over, so rolling
 * over never lengthens the extension.
 */
import type { DeadlineRule, Period } from '@custos/policies';
import { DateTime, IANAZone } from 'luxon';

/** A calendar date, as midnight UTC: date arithmetic without time-zone transitions in the way. */
type CalendarDate = DateTime<true>;

function calendarDate(instant: Date, timeZone: string): CalendarDate {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new RangeError(`Unknown time zone: ${timeZone}`);
  return DateTime.utc(local.year, local.month, local.day) as CalendarDate;
}

function addPeriod(date: CalendarDate, period: Period): CalendarDate {
  if ('months' in period) return date.plus({ months: period.months });
  if ('days' in period) return date.plus({ days: period.days });
  let result = date;
  for (let left = period.businessDays; left > 0; ) {
    result = result.plus({ days: 1 });
    if (result.weekday <= 5) left -= 1;
  }
  return result;
}

/** Saturday → Monday, Sunday → Monday. */
function rollOverWeekend(date: CalendarDate): CalendarDate {
  if (date.weekday === 6) return date.plus({ days: 2 });
  if (date.weekday === 7) return date.plus({ days: 1 });
  return date;
}

/**
 * The last millisecond of the local day: one millisecond before the next local midnight. Written
 * this way round because a day can lose its last hour (America/Nuuk springs forward at 23:00) or
 * its first (America/Santiago at 00:00): the next day's start always exists, shifted if need be.
 */
export function endOfLocalDay(date: CalendarDate, timeZone: string): Date {
  const next = date.plus({ days: 1 });
  const midnight = DateTime.fromObject(
    { year: next.year, month: next.month, day: next.day },
    { zone: timeZone },
  );
  if (!midnight.isValid) throw new RangeError(`Unknown time zone: ${timeZone}`);
  return new Date(earliestOccurrence(midnight) - 1);
}

/**
 * A local time that occurs twice (clocks set back across it, as Asia/Tehran did at 01:00 on
 * 5 August 1978) resolves to its later occurrence; the day before ends at the earlier one. Tries
 * the offsets in force a few hours either side and keeps the earliest instant that still reads as
 * the same local time.
 */
function earliestOccurrence(local: DateTime): number {
  const wall = local.toMillis() + local.offset * 60_000;
  const offsets = new Set([-3, 0, 3].map((hours) => local.plus({ hours }).offset));
  const instants = [...offsets]
    .map((offset) => wall - offset * 60_000)
    .filter(
      (t) =>
        DateTime.fromMillis(t, { zone: local.zone }).toISO({ includeOffset: false }) ===
        local.toISO({ includeOffset: false }),
    );
  return Math.min(local.toMillis(), ...instants);
}

function deadline(date: CalendarDate, rule: DeadlineRule, timeZone: string): Date {
  return endOfLocalDay(rule.weekendRollover ? rollOverWeekend(date) : date, timeZone);
}

/** When the answer is due. */
export function dueDate(receivedAt: Date, timeZone: string, rule: DeadlineRule): Date {
  return deadline(addPeriod(calendarDate(receivedAt, timeZone), rule.answer), rule, timeZone);
}

/** When the answer is due once extended, or null when the law allows no extension. */
export function extendedDueDate(receivedAt: Date, timeZone: string, rule: DeadlineRule): Date | null {
  if (!rule.extension) return null;
  const original = addPeriod(calendarDate(receivedAt, timeZone), rule.answer);
  return deadline(addPeriod(original, rule.extension), rule, timeZone);
}

/** Whether this is an IANA time zone name the runtime knows (not a bare offset such as +03:00). */
export function isTimeZone(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) && IANAZone.isValidZone(name);
}
