import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { load } from '@/features/api/load';
import type { PrivacyRequest } from '@/features/api/types';
import { RequestStatusView } from '@/features/portal/request-status-view';
import { isolate } from '@/features/privacy/isolate';
import { Forbidden } from '@/features/shell/forbidden';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('portal.status');
  return { title: t('title') };
}

/** One of a signed-in person's own requests, as the portal's status page shows it. */
export default async function MyRequestPage({ params }: LocalePageProps<{ id: string }>) {
  const { locale, id } = (await params) as { locale: Locale; id: string };
  setRequestLocale(locale);
  if (!isUuid(id)) notFound();
  const t = await getTranslations('portal.status');
  const tMine = await getTranslations('portal.mine');
  const loaded = await load(api<PrivacyRequest>(`/v1/privacy/requests/${id}`));
  if (!loaded.ok) return <Forbidden />;
  const request = loaded.value;
  return (
    <div className="stack narrow">
      <p>
        <Link href="/portal/mine">{tMine('back')}</Link>
      </p>
      <PageHeading title={t('heading', { reference: isolate(request.reference, locale) })} />
      <RequestStatusView
        request={{
          reference: request.reference,
          type: request.type,
          status: request.status,
          jurisdiction: request.jurisdiction,
          receivedAt: request.receivedAt,
          dueAt: request.dueAt,
          extendedDueAt: request.extendedDueAt,
          history: request.history ?? [],
          result: request.result ?? null,
          kept: request.outcome?.kept ?? [],
          rejectionReason: request.rejectionReason,
        }}
        downloadHref={`/api/privacy/requests/${request.id}/result`}
      />
    </div>
  );
}
