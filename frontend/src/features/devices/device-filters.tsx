import { getTranslations } from 'next-intl/server';
import { lifecycleStates } from '@/features/api/types';
import type { DeviceListQuery } from './list-query';
import { sortFields } from './list-query';

/** Search, filter and sort: a plain GET form, so it works before hydration and without JavaScript. */
export async function DeviceFilters({ query }: { query: DeviceListQuery }) {
  const t = await getTranslations('devices.filters');
  const tState = await getTranslations('devices.state');
  return (
    // biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet.
    <form method="get" className="filters" role="search" aria-label={t('label')}>
      <div className="field">
        <label htmlFor="device-q">{t('serial')}</label>
        <input
          id="device-q"
          name="q"
          type="search"
          defaultValue={query.q}
          maxLength={64}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor="device-state">{t('state')}</label>
        <select id="device-state" name="state" defaultValue={query.state}>
          <option value="">{t('anyState')}</option>
          {lifecycleStates.map((state) => (
            <option key={state} value={state}>
              {tState(state)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="device-sort">{t('sort')}</label>
        <select id="device-sort" name="sort" defaultValue={query.sort}>
          {sortFields.map((field) => (
            <option key={field} value={field}>
              {t(`sortBy.${field}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="device-order">{t('order')}</label>
        <select id="device-order" name="order" defaultValue={query.order}>
          <option value="asc">{t('ascending')}</option>
          <option value="desc">{t('descending')}</option>
        </select>
      </div>
      <div className="field actions">
        <button type="submit" className="button">
          {t('apply')}
        </button>
      </div>
    </form>
  );
}
