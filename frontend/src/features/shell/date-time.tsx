import { getFormatter } from 'next-intl/server';

/** A point in time in the page's locale, with the machine-readable value for assistive technology. */
export async function DateTime({ value }: { value: string }) {
  const format = await getFormatter();
  const date = new Date(value);
  return <time dateTime={value}>{format.dateTime(date, { dateStyle: 'medium', timeStyle: 'medium' })}</time>;
}
