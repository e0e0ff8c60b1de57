import { getLocale, getTranslations } from 'next-intl/server';
import type { RetentionRun } from '@/features/api/types';
import { FocusHere } from '@/features/shell/focus-here';
import { Link } from '@/i18n/link';
import { type ActionOutcome, ActionResult, privacyErrorText } from './action-result';
import { startRun } from './retention-actions';
import { When } from './when';

/**
 * Retention runs: a dry run reports what would go and removes nothing; a real run (after a
 * confirmation step) removes expired data that no legal hold keeps. Newest runs first, each with
 * its report.
 */
export async function RunsPanel({
  runs,
  mayRun,
  confirming,
  outcome,
}: {
  runs: RetentionRun[] | undefined;
  mayRun: boolean;
  confirming: boolean;
  outcome: ActionOutcome;
}) {
  const t = await getTranslations('privacy.runs');
  const locale = await getLocale();
  const shown = ['dry-run', 'run'].includes(outcome.done ?? outcome.failed ?? '');
  return (
    <section aria-labelledby="runs-heading" className="card" id="runs">
      <h2 id="runs-heading">{t('title')}</h2>
      <p>{t('intro')}</p>
      {shown && outcome.done && (
        <ActionResult
          key={outcome.done}
          id="runs-result"
          success
          title={t(outcome.done === 'run' ? 'runStarted' : 'dryStarted')}
        />
      )}
      {shown && outcome.error && (
        <ActionResult
          key={outcome.error}
          id="runs-result"
          success={false}
          title={await privacyErrorText(outcome.error)}
        />
      )}
      {mayRun && !confirming && (
        <div className="action-row">
          <form action={startRun}>
            <input type="hidden" name="locale" value={locale} />
            <input type="hidden" name="dryRun" value="true" />
            <button type="submit" className="button">
              {t('startDry')}
            </button>
          </form>
          <Link
            href={{ pathname: '/privacy/retention', query: { confirmRun: '1' } }}
            className="button secondary"
          >
            {t('startReal')}
          </Link>
        </div>
      )}
      {mayRun && confirming && (
        <FocusHere id="run-confirm">
          <form action={startRun} className="confirm">
            <fieldset>
              <legend>{t('confirmTitle')}</legend>
              <p>{t('confirmBody')}</p>
              <input type="hidden" name="locale" value={locale} />
              <input type="hidden" name="dryRun" value="false" />
              <div className="action-form">
                <button type="submit" className="button danger">
                  {t('confirm')}
                </button>
                <Link href="/privacy/retention#runs" className="button secondary">
                  {t('cancel')}
                </Link>
              </div>
            </fieldset>
          </form>
        </FocusHere>
      )}
      {runs?.length === 0 && <p>{t('none')}</p>}
      {runs && runs.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="runs-caption" tabIndex={0}>
          <table>
            <caption id="runs-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('started')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('trigger')}</th>
                <th scope="col">{t('finished')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <th scope="row">
                    <Link href={`/privacy/retention/runs/${run.id}`}>
                      <When value={run.startedAt} />
                    </Link>
                  </th>
                  <td>{run.dryRun ? t('dry') : t('real')}</td>
                  <td>
                    <span className={`badge run-${run.status}`}>{t(`statuses.${run.status}`)}</span>
                  </td>
                  <td>{t(`triggers.${run.trigger}`)}</td>
                  <td>{run.finishedAt ? <When value={run.finishedAt} /> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
