import { getTranslations } from 'next-intl/server';
import type { DeviceState } from '@/features/api/types';
import { DateTime } from '@/features/shell/date-time';

/** Whether the device is connected, since when, and what it last reported (as of loading the page). */
export async function ConnectionPanel({ state }: { state: DeviceState | undefined }) {
  const t = await getTranslations('device.connection');
  const since = state?.online ? state.onlineSince : state?.offlineSince;
  const never = state && !state.onlineSince && !state.offlineSince;
  return (
    <section aria-labelledby="connection-heading" className="card">
      <h2 id="connection-heading">{t('title')}</h2>
      {!state && <p>{t('hidden')}</p>}
      {state && (
        <>
          <dl className="details">
            <dt>{t('status')}</dt>
            <dd>
              <span className={`badge connection-${state.online ? 'online' : 'offline'}`}>
                {state.online ? t('online') : never ? t('never') : t('offline')}
              </span>
            </dd>
            {since && (
              <>
                <dt>{t('since')}</dt>
                <dd>
                  <DateTime value={since} />
                </dd>
              </>
            )}
            <dt>{t('reported')}</dt>
            <dd>
              <StateValues values={state.reported} empty={t('nothingReported')} />
            </dd>
            {state.reportedAt && (
              <>
                <dt>{t('reportedAt')}</dt>
                <dd>
                  <DateTime value={state.reportedAt} />
                </dd>
              </>
            )}
            <dt>{t('desired')}</dt>
            <dd>
              <StateValues values={state.desired} empty={t('nothingDesired')} />
            </dd>
          </dl>
          <p className="hint">{t('asOfLoading')}</p>
        </>
      )}
    </section>
  );
}

/** A state document's top-level entries, values as compact JSON. */
function StateValues({ values, empty }: { values: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <>{empty}</>;
  return (
    <ul className="plain-list">
      {entries.map(([key, value]) => (
        <li key={key}>
          <code>
            {key}: {JSON.stringify(value)}
          </code>
        </li>
      ))}
    </ul>
  );
}
