import { getFormatter } from 'next-intl/server';

/**
 * A point in time in the page's locale and in a named time zone (UTC unless given), with the
 * zone written out: a deadline is only clear with its zone. `date` leaves the time of day out.
 */
export async function When({ value, timeZone, date }: { value: string; timeZone?: string; date?: boolean }) {
  const format = await getFormatter();
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={value}>
      {format.dateTime(parsed, {
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        ...(date ? {} : { hour: '2-digit', minute: '2-digit' }),
        timeZone: timeZone ?? 'UTC',
        timeZoneName: 'short',
      })}
    </time>
  );
}
