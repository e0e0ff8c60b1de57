import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { canonicalReference, portalStatus } from '@/features/portal/portal-api';
import { requestAccess } from '@/features/portal/request-access';
import { RequestStatusView } from '@/features/portal/request-status-view';
import { isolate } from '@/features/privacy/isolate';
import { FocusHere } from '@/features/shell/focus-here';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { firstValue } from '@/features/shell/query-string';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('portal.status');
  return { title: t('title') };
}

/**
 * A request's status for its requester, opened by the access cookie verification set. Without
 * it (or with one the API no longer accepts) the page asks for a code, whether or not the
 * reference exists.
 */
export default async function RequestStatusPage({
  params,
  searchParams,
}: LocalePageProps<{ reference: string }>) {
  const { locale, reference: typed } = (await params) as { locale: Locale; reference: string };
  setRequestLocale(locale);
  const reference = canonicalReference(typed);
  if (!reference) notFound();
  // A reference typed in lower case: the printed form, so the access cookie is found under one name.
  if (reference !== typed) redirect(`/${locale}/portal/requests/${reference}`);
  const t = await getTranslations('portal.status');
  const query = await searchParams;
  const access = await requestAccess(reference);
  const status = access ? await portalStatus(reference, access.token) : undefined;
  return (
    <div className="stack narrow">
      <PageHeading title={t('heading', { reference: isolate(reference, locale) })} />
      {!status && (
        <Notice title={t('locked')}>
          <p>
            <Link href={`/portal/requests/${reference}/verify`}>{t('enterCode')}</Link>
          </p>
        </Notice>
      )}
      {status && firstValue(query.verified) === '1' && (
        <FocusHere>
          <Notice tone="success" title={t('verified')} />
        </FocusHere>
      )}
      {status && (
        <RequestStatusView
          request={status}
          timeZone={access?.timeZone}
          downloadHref={`/api/portal/requests/${reference}/result`}
        />
      )}
    </div>
  );
}
