import type { Metadata } from 'next';
import { getFormatter, getMessages, getTranslations, setRequestLocale } from 'next-intl/server';
import { ApiError, api } from '@/features/api/api-client';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { AuditEvent, Page, TreeHead, Verification } from '@/features/api/types';
import { AuditSearchForm } from '@/features/compliance/audit-search-form';
import { EventTable } from '@/features/compliance/event-table';
import { ExportPanel } from '@/features/compliance/export-panel';
import { IntegrityPanel } from '@/features/compliance/integrity-panel';
import { apiFilter, parseAuditSearch, unreadableTimes } from '@/features/compliance/search-query';
import { FocusHere } from '@/features/shell/focus-here';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Pagination } from '@/features/shell/pagination';
import { queryWith } from '@/features/shell/query-string';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('compliance');
  return { title: t('title') };
}

export default async function CompliancePage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('compliance');
  const format = await getFormatter();
  const permissions = await myPermissions();
  if (!mayDo(permissions, 'read', 'AuditEvent')) return <Forbidden />;
  const query = await searchParams;
  const search = parseAuditSearch(query);
  let results: Page<AuditEvent> | undefined;
  // Times that cannot be read are reported, never dropped: an auditor must not see unfiltered
  // results under a filter that looks applied.
  const unreadable = unreadableTimes(search);
  let invalid: string[] | undefined = unreadable.length > 0 ? unreadable : undefined;
  let refused = false;
  if (!invalid) {
    try {
      results = await api<Page<AuditEvent>>('/v1/audit/events', {
        query: { ...apiFilter(search), cursor: search.cursor, order: 'desc', limit: 25 },
      });
    } catch (error) {
      if (!(error instanceof ApiError) || ![400, 403].includes(error.status)) throw error;
      if (error.status === 403) refused = true;
      else invalid = (error.problem.errors ?? []).map((e) => e.path ?? '').filter(Boolean);
    }
  }
  const fieldLabel = (field: string) => {
    const key = `search.${field}` as Parameters<typeof t>[0];
    return t.has(key) ? t(key) : field;
  };
  const [verification, head] = await Promise.all([
    optional(api<Verification>('/v1/audit/verification')),
    optional(api<TreeHead>('/v1/audit/tree-heads/latest')),
  ]);
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {query.verified === 'done' && (
        <FocusHere>
          <Notice tone="success" title={t('integrity.verifiedNow')} />
        </FocusHere>
      )}
      {query.verified === 'failed' && (
        <FocusHere>
          <Notice tone="error" title={t('integrity.verifyFailed')} />
        </FocusHere>
      )}
      <IntegrityPanel verification={verification} head={head} />
      <section aria-labelledby="search-heading" className="card">
        <h2 id="search-heading">{t('search.title')}</h2>
        <AuditSearchForm search={search} />
        {invalid && (
          <Notice tone="error" title={t('search.invalid')}>
            {invalid.length > 0 && (
              <p>{t('search.invalidFields', { fields: format.list(invalid.map(fieldLabel)) })}</p>
            )}
          </Notice>
        )}
        {refused && <Notice tone="error" title={t('search.refused')} />}
        {results && results.items.length === 0 && <Notice title={t('search.empty')} />}
        {results && results.items.length > 0 && (
          <EventTable id="search-results" events={results.items} caption={t('search.caption')} />
        )}
        {results && (
          <Pagination
            label={t('search.pagination')}
            first={
              search.cursor
                ? {
                    href: { pathname: '/compliance', query: queryWith(search, { cursor: '' }) },
                    text: t('search.newest'),
                  }
                : undefined
            }
            next={
              results.nextCursor
                ? {
                    href: {
                      pathname: '/compliance',
                      query: queryWith(search, { cursor: results.nextCursor }),
                    },
                    text: t('search.older'),
                  }
                : undefined
            }
          />
        )}
      </section>
      {mayDo(permissions, 'export', 'AuditEvent') && (
        <ExportPanel
          locale={locale}
          tenantId={permissions?.tenantId ?? null}
          text={(await getMessages()).compliance.export}
        />
      )}
    </div>
  );
}
