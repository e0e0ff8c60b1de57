import { getTranslations } from 'next-intl/server';
import type { Device, Site } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';
import { StateBadge } from '@/features/shell/state-badge';
import { Link } from '@/i18n/link';
import type { DeviceListQuery, SortField } from './list-query';

/** One page of devices. The table scrolls inside its own focusable region on narrow screens. */
export async function DeviceTable({
  devices,
  sites,
  query,
}: {
  devices: Device[];
  sites: Map<string, Site>;
  query: DeviceListQuery;
}) {
  const t = await getTranslations('devices.table');
  const sortState = (field: SortField) =>
    query.sort === field ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section className="table-scroll" aria-labelledby="devices-caption" tabIndex={0}>
      <table>
        <caption id="devices-caption">{t('caption')}</caption>
        <thead>
          <tr>
            <th scope="col" aria-sort={sortState('serialNumber')}>
              {t('serial')}
            </th>
            <th scope="col">{t('model')}</th>
            <th scope="col">{t('state')}</th>
            <th scope="col">{t('site')}</th>
            <th scope="col" aria-sort={sortState('updatedAt')}>
              {t('updated')}
            </th>
          </tr>
        </thead>
        <tbody>
          {devices.map((device) => {
            const site = device.siteId ? sites.get(device.siteId) : undefined;
            return (
              <tr key={device.id}>
                <th scope="row">
                  <Link href={`/devices/${device.id}`}>{device.serialNumber}</Link>
                </th>
                <td>{device.model}</td>
                <td>
                  <StateBadge state={device.lifecycleState} />
                </td>
                <td>{site ? site.name : device.siteId ? t('siteHidden') : t('noSite')}</td>
                <td>
                  <DateTime value={device.updatedAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
