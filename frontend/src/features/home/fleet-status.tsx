import { getFormatter, getTranslations } from 'next-intl/server';
import { type DeviceSummary, lifecycleStates } from '@/features/api/types';
import { Link } from '@/i18n/link';

/** Device counts by lifecycle state; each count links to the list filtered by that state. */
export async function FleetStatus({ summary }: { summary: DeviceSummary }) {
  const t = await getTranslations('home.fleet');
  const tState = await getTranslations('devices.state');
  const format = await getFormatter();
  return (
    <section aria-labelledby="fleet-heading" className="card">
      <h2 id="fleet-heading">{t('title')}</h2>
      <p>{t('total', { count: summary.total })}</p>
      <ul className="stat-grid">
        {lifecycleStates.map((state) => (
          <li key={state} className={`stat state-${state}`}>
            <Link href={{ pathname: '/devices', query: { state } }}>
              <span className="stat-value">{format.number(summary.byState[state] ?? 0)}</span>
              <span className="stat-label">{tState(state)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
