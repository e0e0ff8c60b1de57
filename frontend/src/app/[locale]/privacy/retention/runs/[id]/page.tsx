import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getFormatter, getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { RetentionRun } from '@/features/api/types';
import { privacyNames } from '@/features/privacy/names';
import { reportLines } from '@/features/privacy/run-summary';
import { When } from '@/features/privacy/when';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.runs.report');
  return { title: t('title') };
}

/** One retention run's report: per schedule, what went (or would go) and what holds kept. */
export default async function RetentionRunPage({ params }: LocalePageProps<{ id: string }>) {
  const { locale, id } = (await params) as { locale: Locale; id: string };
  setRequestLocale(locale);
  if (!isUuid(id)) notFound();
  const t = await getTranslations('privacy.runs.report');
  const tRuns = await getTranslations('privacy.runs');
  const tAction = await getTranslations('privacy.retention.actions');
  const format = await getFormatter();
  const names = await privacyNames();
  if (!mayDo(await myPermissions(), 'read', 'RetentionSchedule')) return <Forbidden />;
  const loaded = await load(api<RetentionRun>(`/v1/privacy/retention/runs/${id}`));
  if (!loaded.ok) return <Forbidden />;
  const run = loaded.value;
  const lines = reportLines(run);
  const totals = run.report?.totals;
  const number = (value: number) => format.number(value);
  return (
    <div className="stack">
      <p>
        <Link href="/privacy/retention#runs">{t('back')}</Link>
      </p>
      <PageHeading title={run.dryRun ? t('headingDry') : t('heading')}>
        {run.dryRun ? t('dryIntro') : t('intro')}
      </PageHeading>
      <section aria-labelledby="run-heading" className="card">
        <h2 id="run-heading">{t('summary')}</h2>
        <dl className="details">
          <dt>{tRuns('status')}</dt>
          <dd>
            <span className={`badge run-${run.status}`}>{tRuns(`statuses.${run.status}`)}</span>
          </dd>
          <dt>{tRuns('trigger')}</dt>
          <dd>
            {tRuns(`triggers.${run.trigger}`)}
            {run.slot && <span className="muted"> ({run.slot})</span>}
          </dd>
          <dt>{t('scope')}</dt>
          <dd>{run.tenantId ? t('scopeTenant') : t('scopeAll')}</dd>
          <dt>{tRuns('started')}</dt>
          <dd>
            <When value={run.startedAt} />
          </dd>
          <dt>{tRuns('finished')}</dt>
          <dd>{run.finishedAt ? <When value={run.finishedAt} /> : '—'}</dd>
          {totals && (
            <>
              <dt>{run.dryRun ? t('rowsDry') : t('rows')}</dt>
              <dd>{number(totals.rows)}</dd>
              <dt>{t('partitions')}</dt>
              <dd>{number(totals.partitions)}</dd>
              <dt>{t('held')}</dt>
              <dd>{number(totals.held)}</dd>
              <dt>{t('pastPeriod')}</dt>
              <dd>{number(totals.pastPeriod)}</dd>
            </>
          )}
        </dl>
      </section>
      {lines.length === 0 && <Notice title={run.status === 'running' ? t('pending') : t('empty')} />}
      {lines.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="report-caption" tabIndex={0}>
          <table>
            <caption id="report-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('schedule')}</th>
                <th scope="col">{t('action')}</th>
                <th scope="col">{t('cutoff')}</th>
                <th scope="col">{run.dryRun ? t('rowsDry') : t('rows')}</th>
                <th scope="col">{t('partitions')}</th>
                <th scope="col">{t('held')}</th>
                <th scope="col">{t('pastPeriod')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => {
                const category = names.category(line.category);
                return (
                  <tr key={`${line.tenantId}|${line.schedule}`}>
                    <th scope="row">
                      <code>{line.schedule}</code>{' '}
                      <span className="muted" lang={category.lang}>
                        ({category.text})
                      </span>
                    </th>
                    <td>{tAction(line.action)}</td>
                    <td>
                      <When value={line.cutoff} />
                    </td>
                    <td className="number">{number(line.rows)}</td>
                    <td className="number">{number(line.partitions)}</td>
                    <td className="number">{number(line.held)}</td>
                    <td className="number">{number(line.pastPeriod)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
