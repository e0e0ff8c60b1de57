import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { Page, PrivacyRequest } from '@/features/api/types';
import { SLUG_PATTERN } from '@/features/portal/portal-api';
import { RequestStatusBadge } from '@/features/privacy/badges';
import { isolate } from '@/features/privacy/isolate';
import { When } from '@/features/privacy/when';
import { FocusHere } from '@/features/shell/focus-here';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { Pagination } from '@/features/shell/pagination';
import { firstValue } from '@/features/shell/query-string';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('portal.mine');
  return { title: t('title') };
}

/** A signed-in person's own requests, newest first (the API lists only theirs). */
export default async function MyRequestsPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('portal.mine');
  const tType = await getTranslations('privacy.types');
  if (!mayDo(await myPermissions(), 'read', 'PrivacyRequest')) return <Forbidden />;
  const query = await searchParams;
  const cursor = firstValue(query.cursor).slice(0, 512);
  const portal = SLUG_PATTERN.test(firstValue(query.portal)) ? firstValue(query.portal) : '';
  const loaded = await load(
    api<Page<PrivacyRequest>>('/v1/privacy/requests', { query: { sort: '-receivedAt', limit: 20, cursor } }),
  );
  if (!loaded.ok) return <Forbidden />;
  const page = loaded.value;
  const filed = firstValue(query.filed);
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {filed && (
        <FocusHere>
          <Notice tone="success" title={t('filed', { reference: isolate(filed.slice(0, 20), locale) })} />
        </FocusHere>
      )}
      {portal && (
        <p>
          <Link href={`/portal/${portal}`}>{t('fileAnother')}</Link>
        </p>
      )}
      {page.items.length === 0 && <Notice title={t('empty')} />}
      {page.items.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
        <section className="table-scroll" aria-labelledby="mine-caption" tabIndex={0}>
          <table>
            <caption id="mine-caption">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('reference')}</th>
                <th scope="col">{t('type')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('received')}</th>
                <th scope="col">{t('due')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((request) => (
                <tr key={request.id}>
                  <th scope="row">
                    <Link href={`/portal/mine/${request.id}`}>{request.reference}</Link>
                  </th>
                  <td>{tType(request.type)}</td>
                  <td>
                    <RequestStatusBadge status={request.status} />
                  </td>
                  <td>
                    <When value={request.receivedAt} date />
                  </td>
                  <td>
                    <When value={request.extendedDueAt ?? request.dueAt} date />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Pagination
        label={t('pagination')}
        first={cursor ? { href: '/portal/mine', text: t('firstPage') } : undefined}
        next={
          page.nextCursor
            ? { href: { pathname: '/portal/mine', query: { cursor: page.nextCursor } }, text: t('nextPage') }
            : undefined
        }
      />
    </div>
  );
}
