import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { apiWithEtag } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { load } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { PrivacyRequest } from '@/features/api/types';
import { actionOutcome } from '@/features/privacy/action-result';
import { isolate } from '@/features/privacy/isolate';
import { tenantPeople } from '@/features/privacy/people';
import { RequestActions } from '@/features/privacy/request-actions';
import { RequestDetails } from '@/features/privacy/request-details';
import { RequestHistory } from '@/features/privacy/request-history';
import { RequestOutcome } from '@/features/privacy/request-outcome';
import { privacyOffice } from '@/features/privacy/sections';
import { Forbidden } from '@/features/shell/forbidden';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.request');
  return { title: t('title') };
}

/** One data-subject request for the privacy office: what is known, its steps, the actions, the outcome. */
export default async function PrivacyRequestPage({ params, searchParams }: LocalePageProps<{ id: string }>) {
  const { locale, id } = (await params) as { locale: Locale; id: string };
  setRequestLocale(locale);
  if (!isUuid(id)) notFound();
  const t = await getTranslations('privacy.request');
  const permissions = await myPermissions();
  if (!privacyOffice(permissions)) return <Forbidden />;
  const loaded = await load(apiWithEtag<PrivacyRequest>(`/v1/privacy/requests/${id}`));
  if (!loaded.ok) return <Forbidden />;
  const { body: request, etag } = loaded.value;
  const people = await tenantPeople();
  const outcome = actionOutcome(await searchParams);
  return (
    <div className="stack">
      <p>
        <Link href="/privacy">{t('back')}</Link>
      </p>
      <PageHeading title={t('heading', { reference: isolate(request.reference, locale) })} />
      <div className="grid-2">
        <RequestDetails request={request} people={people} />
        <RequestHistory history={request.history ?? []} />
      </div>
      <RequestOutcome request={request} />
      {mayDo(permissions, 'update', 'PrivacyRequest') && etag && (
        <RequestActions
          request={request}
          etag={etag}
          people={people}
          userId={permissions?.userId}
          result={outcome}
        />
      )}
    </div>
  );
}
