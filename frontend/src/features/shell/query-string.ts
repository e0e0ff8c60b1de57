/** Reading a page's URL query, and building links to the same page with some values changed. */

/** The first value of a query parameter ('' when absent): `?a=1&a=2` reads as '1'. */
export const firstValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? value[0] : value) ?? '';

/** The query with some values changed, empty values left out (so links stay short). */
export function queryWith<T extends object>(current: T, change: Partial<T>): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...current, ...change }).filter((entry): entry is [string, string] => entry[1] !== ''),
  );
}
