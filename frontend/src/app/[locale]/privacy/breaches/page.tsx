import type { Metadata } from 'next';
import { getLocale, getTranslations, setRequestLocale } from 'next-intl/server';
import { ApiError, api } from '@/features/api/api-client';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import { type Breach, breachStatuses, type Page } from '@/features/api/types';
import { ActionResult, actionOutcome, privacyErrorText } from '@/features/privacy/action-result';
import { createBreach } from '@/features/privacy/breach-actions';
import { BreachFields } from '@/features/privacy/breach-fields';
import { BreachesTable } from '@/features/privacy/breaches-table';
import { personalCategories } from '@/features/privacy/categories';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Pagination } from '@/features/shell/pagination';
import { firstValue, queryWith } from '@/features/shell/query-string';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.breaches');
  return { title: t('title') };
}

/** The breach register (GDPR art. 33(5)), its filters, and recording a new breach. */
export default async function BreachesPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('privacy.breaches');
  const tStatus = await getTranslations('privacy.breaches.statuses');
  const permissions = await myPermissions();
  if (!mayDo(permissions, 'read', 'Breach')) return <Forbidden />;
  const raw = await searchParams;
  const outcome = actionOutcome(raw);
  const status = firstValue(raw.status);
  const query = {
    status: (breachStatuses as readonly string[]).includes(status) ? status : '',
    overdue: firstValue(raw.overdue) === 'true' ? 'true' : '',
    cursor: firstValue(raw.cursor).slice(0, 512),
  };
  let page: Page<Breach> | undefined;
  let invalid = false;
  try {
    const loaded = await load(api<Page<Breach>>('/v1/privacy/breaches', { query: { ...query, limit: 25 } }));
    if (!loaded.ok) return <Forbidden />;
    page = loaded.value;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    invalid = true;
  }
  const mayCreate = mayDo(permissions, 'create', 'Breach');
  const categories = mayCreate ? await personalCategories() : [];
  const here = (change: Partial<typeof query>) => ({
    pathname: '/privacy/breaches',
    query: queryWith(query, change),
  });
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {/* biome-ignore lint/a11y/useSemanticElements: role=search on the form is the search landmark; React has no <search> element type yet. */}
      <form method="get" className="filters" role="search" aria-label={t('filters.label')}>
        <div className="field">
          <label htmlFor="breach-filter-status">{t('filters.status')}</label>
          <select id="breach-filter-status" name="status" defaultValue={query.status}>
            <option value="">{t('filters.anyStatus')}</option>
            {breachStatuses.map((value) => (
              <option key={value} value={value}>
                {tStatus(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field checkbox-field">
          <input
            id="breach-filter-overdue"
            type="checkbox"
            name="overdue"
            value="true"
            defaultChecked={!!query.overdue}
          />
          <label htmlFor="breach-filter-overdue">{t('filters.overdue')}</label>
        </div>
        <div className="field actions">
          <button type="submit" className="button">
            {t('filters.apply')}
          </button>
        </div>
      </form>
      {invalid && <Notice tone="error" title={t('invalidQuery')} />}
      {page && page.items.length === 0 && <Notice title={t('empty')} />}
      {page && page.items.length > 0 && <BreachesTable breaches={page.items} />}
      {page && (
        <Pagination
          label={t('pagination')}
          first={query.cursor ? { href: here({ cursor: '' }), text: t('firstPage') } : undefined}
          next={
            page.nextCursor ? { href: here({ cursor: page.nextCursor }), text: t('nextPage') } : undefined
          }
        />
      )}
      {mayCreate && (
        <section aria-labelledby="new-breach-heading" className="card" id="new-breach">
          <h2 id="new-breach-heading">{t('newTitle')}</h2>
          <p>{t('newIntro')}</p>
          {outcome.done === 'create' && (
            <ActionResult key="done" id="breach-result" success title={t('created')} />
          )}
          {outcome.failed === 'create' && outcome.error && (
            <ActionResult
              key={outcome.error}
              id="breach-result"
              success={false}
              title={await privacyErrorText(outcome.error)}
            />
          )}
          <form action={createBreach} className="panel-form wide">
            <input type="hidden" name="locale" value={await getLocale()} />
            <BreachFields categories={categories} outcome={outcome} action="create" />
            <div>
              <button type="submit" className="button">
                {t('create')}
              </button>
            </div>
          </form>
        </section>
      )}
    </div>
  );
}
