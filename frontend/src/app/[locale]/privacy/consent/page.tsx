import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { api } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { optional } from '@/features/api/load';
import { mayDo, myPermissions } from '@/features/api/me';
import type { ConsentOverview, SubjectConsents } from '@/features/api/types';
import { actionOutcome } from '@/features/privacy/action-result';
import { ConsentForm, ConsentLookup, type SubjectKind } from '@/features/privacy/consent-forms';
import { ConsentOverviewPanel, SubjectConsentPanel } from '@/features/privacy/consent-panels';
import { privacyNames } from '@/features/privacy/names';
import { privacyOffice } from '@/features/privacy/sections';
import { Forbidden } from '@/features/shell/forbidden';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { firstValue } from '@/features/shell/query-string';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('privacy.consent');
  return { title: t('title') };
}

/** Consent for the purposes that need it: the tenant's overview, one person's history, recording it. */
export default async function ConsentPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('privacy.consent');
  const permissions = await myPermissions();
  if (!privacyOffice(permissions) || !mayDo(permissions, 'read', 'ConsentRecord')) return <Forbidden />;
  const query = await searchParams;
  const outcome = actionOutcome(query);
  const kind: SubjectKind = firstValue(query.kind) === 'user' ? 'user' : 'patient';
  const id = firstValue(query.id).trim().slice(0, 36);
  const [overview, subject] = await Promise.all([
    optional(api<ConsentOverview>('/v1/privacy/consents/overview')),
    isUuid(id) ? optional(api<SubjectConsents>(`/v1/privacy/consents/subjects/${kind}/${id}`)) : undefined,
  ]);
  const names = await privacyNames();
  const purposes = (overview?.purposes ?? []).map((row) => ({
    id: row.purpose,
    name: names.purpose(row.purpose, row.name ?? undefined),
  }));
  return (
    <div className="stack">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      <ConsentOverviewPanel overview={overview} />
      <section aria-labelledby="lookup-heading" className="card">
        <h2 id="lookup-heading">{t('lookupTitle')}</h2>
        <ConsentLookup kind={kind} id={id} />
        {id && !isUuid(id) && <Notice tone="error" title={t('badId')} />}
        {isUuid(id) && !subject && <Notice title={t('notFound')} />}
      </section>
      {subject && <SubjectConsentPanel consents={subject} />}
      {mayDo(permissions, 'create', 'ConsentRecord') && purposes.length > 0 && (
        <ConsentForm kind={kind} id={isUuid(id) ? id : ''} purposes={purposes} outcome={outcome} />
      )}
    </div>
  );
}
