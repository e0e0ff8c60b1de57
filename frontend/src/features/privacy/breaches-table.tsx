import { getTranslations } from 'next-intl/server';
import type { Breach } from '@/features/api/types';
import { Link } from '@/i18n/link';
import { BreachClock } from './breach-clock';
import { When } from './when';

/** The breach register, newest detection first, each with its notification clock. */
export async function BreachesTable({ breaches }: { breaches: Breach[] }) {
  const t = await getTranslations('privacy.breaches.table');
  const tRisk = await getTranslations('privacy.breaches.risks');
  const tStatus = await getTranslations('privacy.breaches.statuses');
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section className="table-scroll" aria-labelledby="breaches-caption" tabIndex={0}>
      <table>
        <caption id="breaches-caption">{t('caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('reference')}</th>
            <th scope="col">{t('title')}</th>
            <th scope="col">{t('risk')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col" aria-sort="descending">
              {t('detected')}
            </th>
            <th scope="col">{t('notification')}</th>
          </tr>
        </thead>
        <tbody>
          {breaches.map((breach) => (
            <tr key={breach.id} className={breach.notificationOverdue ? 'is-overdue' : undefined}>
              <th scope="row">
                <Link href={`/privacy/breaches/${breach.id}`}>{breach.reference}</Link>
              </th>
              <td dir="auto">{breach.title}</td>
              <td>
                <span className={`badge risk-${breach.risk}`}>{tRisk(breach.risk)}</span>
              </td>
              <td>{tStatus(breach.status)}</td>
              <td>
                <When value={breach.detectedAt} />
              </td>
              <td>
                <BreachClock breach={breach} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
