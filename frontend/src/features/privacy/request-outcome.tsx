import { getFormatter, getTranslations } from 'next-intl/server';
import type { PrivacyRequest } from '@/features/api/types';
import { Link } from '@/i18n/link';
import { privacyNames } from './names';
import { KeptList } from './steps-list';
import { When } from './when';

/**
 * Fulfilment as the officer follows it: the job's progress while it runs (refreshed on demand:
 * no page that reloads itself), then the outcome (rows per table, what was kept and why, notes)
 * and the result file.
 */
export async function RequestOutcome({ request }: { request: PrivacyRequest }) {
  const t = await getTranslations('privacy.request.outcome');
  const format = await getFormatter();
  const names = await privacyNames();
  const job = request.job;
  const outcome = request.outcome;
  const running = job && (job.state === 'queued' || job.state === 'running');
  if (!job && !outcome && !request.result) return null;
  const progress = job?.progress;
  const counts = Object.entries(outcome?.counts ?? {});
  const kept = outcome?.kept ?? [];
  return (
    <section aria-labelledby="outcome-heading" className="card" id="outcome">
      <h2 id="outcome-heading">{t('title')}</h2>
      {job && (
        <div className="job-status">
          <p>
            {t(`job.${job.state}`)}
            {/* The stage is the table (or file) being worked on. */}
            {running && progress?.stage && (
              <>
                {' '}
                (<span lang={names.table(progress.stage).lang}>{names.table(progress.stage).text}</span>)
              </>
            )}
          </p>
          {running && typeof progress?.total === 'number' && progress.total > 0 && (
            <p>
              <progress value={progress.done ?? 0} max={progress.total} aria-labelledby="job-progress-text" />
              <span id="job-progress-text">
                {t('progress', {
                  done: format.number(progress.done ?? 0),
                  total: format.number(progress.total),
                })}
              </span>
            </p>
          )}
          {running && (
            <p>
              <Link href={`/privacy/requests/${request.id}#outcome`}>{t('refresh')}</Link>
            </p>
          )}
        </div>
      )}
      {counts.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="counts-caption" tabIndex={0}>
          <table className="compact">
            <caption id="counts-caption">{t('counts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('table')}</th>
                <th scope="col">{t('rows')}</th>
              </tr>
            </thead>
            <tbody>
              {counts.map(([table, count]) => {
                const name = names.table(table);
                return (
                  <tr key={table}>
                    <th scope="row" lang={name.lang}>
                      {name.text}
                    </th>
                    <td className="number">{format.number(count)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
      {kept.length > 0 && (
        <>
          <h3>{t('keptTitle')}</h3>
          <KeptList kept={kept} holdLabel={t('hold')} />
        </>
      )}
      {outcome?.notes && outcome.notes.length > 0 && (
        <>
          <h3>{t('notes')}</h3>
          <ul>
            {outcome.notes.map((note) => (
              <li key={note} lang={names.english}>
                {note}
              </li>
            ))}
          </ul>
        </>
      )}
      {request.result?.available && (
        <p>
          <a href={`/api/privacy/requests/${request.id}/result`} className="button secondary" download>
            {t('download', {
              size: format.number(request.result.bytes / 1024, { maximumFractionDigits: 1 }),
            })}
          </a>
          {request.result.expiresAt && (
            <span className="hint">
              {' '}
              {t('expires')} <When value={request.result.expiresAt} />
            </span>
          )}
        </p>
      )}
    </section>
  );
}
