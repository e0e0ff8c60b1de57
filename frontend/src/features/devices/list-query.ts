/** The device list's URL query, checked before it reaches the API (unknown values are dropped). */
import { type LifecycleState, lifecycleStates } from '@/features/api/types';
import { firstValue } from '@/features/shell/query-string';

export const sortFields = ['serialNumber', 'updatedAt', 'createdAt'] as const;
export type SortField = (typeof sortFields)[number];

export interface DeviceListQuery {
  q: string;
  state: LifecycleState | '';
  sort: SortField;
  order: 'asc' | 'desc';
  cursor: string;
}

export function parseDeviceListQuery(raw: Record<string, string | string[] | undefined>): DeviceListQuery {
  const state = firstValue(raw.state);
  const sort = firstValue(raw.sort);
  return {
    // The API matches serial numbers by prefix; NUL and control characters are never part of one.
    q: firstValue(raw.q)
      .replace(/\p{Cc}/gu, '')
      .trim()
      .slice(0, 64),
    state: (lifecycleStates as readonly string[]).includes(state) ? (state as LifecycleState) : '',
    sort: (sortFields as readonly string[]).includes(sort) ? (sort as SortField) : 'serialNumber',
    order: firstValue(raw.order) === 'desc' ? 'desc' : 'asc',
    cursor: firstValue(raw.cursor).slice(0, 512),
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
