import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { ApiError, api } from '@/features/api/api-client';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Page, PrivacyRequest } from '@/features/api/types';
import { tenantPeople } from '@/features/privacy/people';
import { QueueFilters } from '@/features/privacy/queue-filters';
import { parseQueueQuery, queueApiQuery } from '@/features/privacy/queue-query';
import { QueueTable } from '@/features/privacy/queue-table';
import { privacyOffice } from '@/features/privacy/sections';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Pagination } from '@/features/shell/pagination';
import { queryWith } from '@/features/shell/query-string';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.queue');
  return { title: t('title') };
}

/** The privacy office's queue of data-subject requests, soonest statutory deadline first. */
export default async function RequestQueuePage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('privacy.queue');
  const permissions = await myPermissions();
  if (!privacyOffice(permissions) || !mayDo(permissions, 'read', 'PrivacyRequest')) return <Forbidden />;
  const query = parseQueueQuery(await searchParams);
  let page: Page<PrivacyRequest> | undefined;
  let invalid = false;
  try {
    const loaded = await load(
      api<Page<PrivacyRequest>>('/v1/privacy/requests', { query: queueApiQuery(query, permissions?.userId) }),
    );
    if (!loaded.ok) return <Forbidden />;
    page = loaded.value;
  } catch (error) {
    // A stale or altered cursor: say so and offer the first page, rather than fail.
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    invalid = true;
  }
  const people = await tenantPeople();
  const here = (change: Partial<typeof query>) => ({ pathname: '/privacy', query: queryWith(query, change) });
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      <QueueFilters query={query} />
      {invalid && (
        <Notice tone="error" title={t('invalidQuery')}>
          <Link href={here({ cursor: '' })}>{t('firstPage')}</Link>
        </Notice>
      )}
      {page && page.items.length === 0 && <Notice title={t('empty')} />}
      {page && page.items.length > 0 && (
        <QueueTable requests={page.items} userId={permissions?.userId} people={people} />
      )}
      {page && (
        <Pagination
          label={t('pagination')}
          first={query.cursor ? { href: here({ cursor: '' }), text: t('firstPage') } : undefined}
          next={
            page.nextCursor ? { href: here({ cursor: page.nextCursor }), text: t('nextPage') } : undefined
          }
        />
      )}
    </div>
  );
}
