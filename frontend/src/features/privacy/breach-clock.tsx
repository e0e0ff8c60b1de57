import { getFormatter, getTranslations } from 'next-intl/server';
import type { Breach } from '@/features/api/types';
import { When } from './when';

/**
 * The 72-hour clock of GDPR art. 33(1): by when the supervisory authority must be told, how long
 * is left (as of loading the page), or that the deadline passed. Said in words, not colour alone.
 */
export async function BreachClock({ breach, now = new Date() }: { breach: Breach; now?: Date }) {
  const t = await getTranslations('privacy.breaches.clock');
  const format = await getFormatter();
  if (breach.authorityNotifiedAt) {
    return (
      <span>
        {t('notified')} <When value={breach.authorityNotifiedAt} />
      </span>
    );
  }
  if (breach.risk === 'unlikely') return <span>{t('notRequired')}</span>;
  const due = new Date(breach.notificationDueAt);
  return (
    <span>
      {t('due')} <When value={breach.notificationDueAt} />{' '}
      {breach.notificationOverdue ? (
        <span className="badge overdue">{t('overdue', { since: format.relativeTime(due, now) })}</span>
      ) : (
        <span className="badge due-soon">{t('left', { when: format.relativeTime(due, now) })}</span>
      )}
    </span>
  );
}
