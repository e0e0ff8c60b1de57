/** The device list's URL query, checked before it reaches the API (unknown values are dropped). */
import { type LifecycleState, lifecycleStates } from '@/features/api/types';

export const sortFields = ['serialNumber', 'updatedAt', 'createdAt'] as const;
export type SortField = (typeof sortFields)[number];

export interface DeviceListQuery {
  q: string;
  state: LifecycleState | '';
  sort: SortField;
  order: 'asc' | 'desc';
  cursor: string;
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? '';

export function parseDeviceListQuery(raw: Record<string, string | string[] | undefined>): DeviceListQuery {
  const state = one(raw.state);
  const sort = one(raw.sort);
  return {
    // The API matches serial numbers by prefix; NUL and control characters are never part of one.
    q: one(raw.q)
      .replace(/\p{Cc}/gu, '')
      .trim()
      .slice(0, 64),
    state: (lifecycleStates as readonly string[]).includes(state) ? (state as LifecycleState) : '',
    sort: (sortFields as readonly string[]).includes(sort) ? (sort as SortField) : 'serialNumber',
    order: one(raw.order) === 'desc' ? 'desc' : 'asc',
    cursor: one(raw.cursor).slice(0, 512),
  };
}

/** The API's query for one page. */
export const apiQuery = (query: DeviceListQuery, limit = 20) => ({
  serialPrefix: query.q,
  lifecycleState: query.state,
  sort: query.sort,
  order: query.order,
  cursor: query.cursor,
  limit,
});

/** The page's own URL query with some values changed (empty values left out). */
export function withQuery(query: DeviceListQuery, change: Partial<DeviceListQuery>): Record<string, string> {
  const merged = { ...query, ...change };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''));
}
