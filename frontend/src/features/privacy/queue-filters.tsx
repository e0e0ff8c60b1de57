import { getTranslations } from 'next-intl/server';
import { requestStatuses, requestTypes } from '@/features/api/types';
import type { QueueQuery } from './queue-query';

/** Filters of the request queue: a plain GET form, so each view is an address that can be kept. */
export async function QueueFilters({ query }: { query: QueueQuery }) {
  const t = await getTranslations('privacy.queue.filters');
  const tStatus = await getTranslations('privacy.statuses');
  const tType = await getTranslations('privacy.types');
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet.
    <form method="get" className="filters" role="search" aria-label={t('label')}>
      <div className="field">
        <label htmlFor="queue-status">{t('status')}</label>
        <select id="queue-status" name="status" defaultValue={query.status}>
          <option value="">{t('anyStatus')}</option>
          {requestStatuses.map((status) => (
            <option key={status} value={status}>
              {tStatus(status)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="queue-type">{t('type')}</label>
        <select id="queue-type" name="type" defaultValue={query.type}>
          <option value="">{t('anyType')}</option>
          {requestTypes.map((type) => (
            <option key={type} value={type}>
              {tType(type)}
            </option>
          ))}
        </select>
      </div>
      <div className="field checkbox-field">
        <input
          id="queue-overdue"
          type="checkbox"
          name="overdue"
          value="true"
          defaultChecked={!!query.overdue}
        />
        <label htmlFor="queue-overdue">{t('overdue')}</label>
      </div>
      <div className="field checkbox-field">
        <input id="queue-mine" type="checkbox" name="mine" value="true" defaultChecked={!!query.mine} />
        <label htmlFor="queue-mine">{t('mine')}</label>
      </div>
      <div className="field actions">
        <button type="submit" className="button">
          {t('apply')}
        </button>
      </div>
    </form>
  );
}
