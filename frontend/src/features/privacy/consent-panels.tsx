import { getFormatter, getTranslations } from 'next-intl/server';
import type { ConsentOverview, SubjectConsents } from '@/features/api/types';
import { privacyNames } from './names';
import { When } from './when';

/** Per purpose that needs consent: how many people's latest record says given or withdrawn. */
export async function ConsentOverviewPanel({ overview }: { overview: ConsentOverview | undefined }) {
  const t = await getTranslations('privacy.consent.overview');
  const format = await getFormatter();
  const names = await privacyNames();
  return (
    <section aria-labelledby="overview-heading" className="card">
      <h2 id="overview-heading">{t('title')}</h2>
      {!overview && <p>{t('hidden')}</p>}
      {overview && overview.purposes.length === 0 && <p>{t('none')}</p>}
      {overview && overview.purposes.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="overview-caption" tabIndex={0}>
          <table className="compact">
            <caption id="overview-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('purpose')}</th>
                <th scope="col">{t('given')}</th>
                <th scope="col">{t('withdrawn')}</th>
              </tr>
            </thead>
            <tbody>
              {overview.purposes.map((row) => {
                const name = names.purpose(row.purpose, row.name ?? undefined);
                return (
                  <tr key={row.purpose}>
                    <th scope="row" lang={name.lang}>
                      {name.text}
                    </th>
                    <td className="number">{format.number(row.given)}</td>
                    <td className="number">{format.number(row.withdrawn)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}

/** One person's consent: where it stands per purpose, and every record, newest first. */
export async function SubjectConsentPanel({ consents }: { consents: SubjectConsents }) {
  const t = await getTranslations('privacy.consent.subject');
  const tAction = await getTranslations('privacy.consent.actions');
  const tSource = await getTranslations('privacy.consent.sources');
  const names = await privacyNames();
  const sourceKey = (source: string) => source as Parameters<typeof tSource>[0];
  return (
    <section aria-labelledby="subject-heading" className="card" id="subject">
      <h2 id="subject-heading">{t('title')}</h2>
      <ul className="plain-list consent-state">
        {consents.current.map((state) => {
          const name = names.purpose(state.purpose, state.name ?? undefined);
          return (
            <li key={state.purpose}>
              <span lang={name.lang}>{name.text}</span>:{' '}
              <span className={`badge consent-${state.state}`}>
                {state.state === 'none' ? t('noRecord') : tAction(state.state)}
              </span>
              {state.since && (
                <span className="muted">
                  {' '}
                  (<When value={state.since} date />)
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {consents.history.length === 0 ? (
        <p>{t('noHistory')}</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="consent-history-caption" tabIndex={0}>
          <table>
            <caption id="consent-history-caption">{t('historyCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('recorded')}</th>
                <th scope="col">{t('purpose')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('source')}</th>
                <th scope="col">{t('evidence')}</th>
              </tr>
            </thead>
            <tbody>
              {consents.history.map((record) => {
                const name = names.purpose(record.purpose);
                return (
                  <tr key={record.id}>
                    <th scope="row">
                      <When value={record.recordedAt} />
                    </th>
                    <td lang={name.lang}>{name.text}</td>
                    <td>{tAction(record.action)}</td>
                    <td>
                      {tSource.has(sourceKey(record.source))
                        ? tSource(sourceKey(record.source))
                        : record.source}
                    </td>
                    <td dir="auto">{record.evidence ?? '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
