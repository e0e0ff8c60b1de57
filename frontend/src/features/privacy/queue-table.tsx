import { getTranslations } from 'next-intl/server';
import type { PrivacyRequest, User } from '@/features/api/types';
import { Link } from '@/i18n/link';
import { OverdueBadge, RequestStatusBadge } from './badges';
import { personName } from './people';
import { When } from './when';

/** One page of the queue, soonest deadline first; overdue requests say so in words. */
export async function QueueTable({
  requests,
  userId,
  people,
}: {
  requests: PrivacyRequest[];
  userId?: string;
  people: Map<string, User>;
}) {
  const t = await getTranslations('privacy.queue.table');
  const tType = await getTranslations('privacy.types');
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section className="table-scroll" aria-labelledby="queue-caption" tabIndex={0}>
      <table>
        <caption id="queue-caption">{t('caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('reference')}</th>
            <th scope="col">{t('type')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col" aria-sort="ascending">
              {t('due')}
            </th>
            <th scope="col">{t('received')}</th>
            <th scope="col">{t('assignee')}</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((request) => (
            <tr key={request.id} className={request.overdue ? 'is-overdue' : undefined}>
              <th scope="row">
                <Link href={`/privacy/requests/${request.id}`}>{request.reference}</Link>
              </th>
              <td>{tType(request.type)}</td>
              <td>
                <RequestStatusBadge status={request.status} />
              </td>
              <td>
                <When value={request.effectiveDueAt ?? request.extendedDueAt ?? request.dueAt} date />
                {request.overdue && (
                  <>
                    {' '}
                    <OverdueBadge />
                  </>
                )}
              </td>
              <td>
                <When value={request.receivedAt} date />
              </td>
              <td>
                {!request.assigneeId
                  ? t('unassigned')
                  : request.assigneeId === userId
                    ? t('you')
                    : (personName(people, request.assigneeId) ?? t('someoneElse'))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
