import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { ApiError, api } from '@/features/api/api-client';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Device, Page } from '@/features/api/types';
import { DeviceFilters } from '@/features/devices/device-filters';
import { DeviceTable } from '@/features/devices/device-table';
import { apiQuery, parseDeviceListQuery } from '@/features/devices/list-query';
import { visibleSites } from '@/features/devices/sites';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Pagination } from '@/features/shell/pagination';
import { queryWith } from '@/features/shell/query-string';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('devices');
  return { title: t('title') };
}

export default async function DevicesPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('devices');
  if (!mayDo(await myPermissions(), 'read', 'Device')) return <Forbidden />;
  const query = parseDeviceListQuery(await searchParams);
  let page: Page<Device> | undefined;
  let invalid = false;
  try {
    const loaded = await load(api<Page<Device>>('/v1/devices', { query: apiQuery(query) }));
    if (!loaded.ok) return <Forbidden />;
    page = loaded.value;
  } catch (error) {
    // A stale or altered cursor: say so and offer the first page, rather than fail.
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    invalid = true;
  }
  const sites = await visibleSites();
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      <DeviceFilters query={query} />
      {invalid && (
        <Notice tone="error" title={t('invalidQuery')}>
          <Link href={{ pathname: '/devices', query: queryWith(query, { cursor: '' }) }}>
            {t('firstPage')}
          </Link>
        </Notice>
      )}
      {page && page.items.length === 0 && <Notice title={t('empty')} />}
      {page && page.items.length > 0 && <DeviceTable devices={page.items} sites={sites} query={query} />}
      {page && (
        <Pagination
          label={t('pagination')}
          first={
            query.cursor
              ? {
                  href: { pathname: '/devices', query: queryWith(query, { cursor: '' }) },
                  text: t('firstPage'),
                }
              : undefined
          }
          next={
            page.nextCursor
              ? {
                  href: { pathname: '/devices', query: queryWith(query, { cursor: page.nextCursor }) },
                  text: t('nextPage'),
                }
              : undefined
          }
        />
      )}
    </div>
  );
}
