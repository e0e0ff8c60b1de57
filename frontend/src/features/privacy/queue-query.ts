/** The request queue's URL query, checked before it reaches the API (unknown values are dropped). */
import { type RequestStatus, type RequestType, requestStatuses, requestTypes } from '@/features/api/types';
import { firstValue } from '@/features/shell/query-string';

export interface QueueQuery {
  status: RequestStatus | '';
  type: RequestType | '';
  /** 'true' or ''. */
  overdue: string;
  /** 'true' or '': only requests assigned to the viewer. */
  mine: string;
  cursor: string;
}

export function parseQueueQuery(raw: Record<string, string | string[] | undefined>): QueueQuery {
  const status = firstValue(raw.status);
  const type = firstValue(raw.type);
  return {
    status: (requestStatuses as readonly string[]).includes(status) ? (status as RequestStatus) : '',
    type: (requestTypes as readonly string[]).includes(type) ? (type as RequestType) : '',
    overdue: firstValue(raw.overdue) === 'true' ? 'true' : '',
    mine: firstValue(raw.mine) === 'true' ? 'true' : '',
    cursor: firstValue(raw.cursor).slice(0, 512),
  };
}

/** The API's query for one page, soonest deadline first. */
export const queueApiQuery = (query: QueueQuery, userId: string | undefined, limit = 25) => ({
  status: query.status,
  type: query.type,
  overdue: query.overdue,
  assigneeId: query.mine && userId ? userId : '',
  sort: 'dueAt',
  cursor: query.cursor,
  limit,
});
