import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { currentSession } from '@/features/api/api-client';
import { myPermissions } from '@/features/api/me';
import { readDraft } from '@/features/portal/draft';
import { FilingForm } from '@/features/portal/filing-form';
import { type FilingField, filingFields, isRequestType } from '@/features/portal/filing-input';
import { portalInfo } from '@/features/portal/portal-api';
import { PortalRefusal } from '@/features/portal/portal-refusal';
import { RightsNote } from '@/features/portal/rights-note';
import { TypeStep } from '@/features/portal/type-step';
import { filesForSelf } from '@/features/privacy/sections';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { firstValue } from '@/features/shell/query-string';
import { Link } from '@/i18n/link';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('portal');
  return { title: t('title') };
}

/**
 * A tenant's privacy portal: anyone files a request about their data here, in two steps (which
 * right, then that right's form). A signed-in data subject files under their account, without a code.
 */
export default async function PortalPage({ params, searchParams }: LocalePageProps<{ tenantSlug: string }>) {
  const { locale, tenantSlug } = (await params) as { locale: Locale; tenantSlug: string };
  setRequestLocale(locale);
  const info = await portalInfo(tenantSlug);
  if (!info) notFound();
  const t = await getTranslations('portal');
  const query = await searchParams;
  const requested = firstValue(query.type);
  const type = isRequestType(requested) && info.requestTypes.includes(requested) ? requested : undefined;
  const choosing = !type || firstValue(query.step) === 'type';
  const error = firstValue(query.error) || undefined;
  const invalid = firstValue(query.fields)
    .split(',')
    .filter((field): field is FilingField => (filingFields as readonly string[]).includes(field));
  const signedIn =
    (await currentSession()) !== undefined && filesForSelf(await myPermissions().catch(() => undefined));
  const draft = error ? await readDraft() : undefined;
  const here = `/portal/${info.tenant.slug}`;
  return (
    <div className="stack narrow">
      <PageHeading title={t('heading', { tenant: info.tenant.name })}>{t('intro')}</PageHeading>
      {error && (
        <PortalRefusal
          key={JSON.stringify(query)}
          id="filing-error"
          error={error}
          fields={invalid}
          retrySeconds={Number(firstValue(query.retry))}
        />
      )}
      {signedIn ? (
        <Notice title={t('signedIn')}>
          <p>
            <Link href={{ pathname: '/portal/mine', query: { portal: info.tenant.slug } }}>
              {t('seeMine')}
            </Link>
          </p>
        </Notice>
      ) : (
        <p className="hint">
          {t('haveAccount')}{' '}
          <Link href={{ pathname: '/sign-in', query: { returnTo: `/${locale}${here}` } }}>
            {t('signInLink')}
          </Link>
        </p>
      )}
      {choosing || !type ? (
        <TypeStep types={info.requestTypes} chosen={type} />
      ) : (
        <FilingForm
          info={info}
          type={type}
          signedIn={signedIn}
          invalid={invalid}
          errorId={error ? 'filing-error-text' : undefined}
          draft={draft}
        />
      )}
      <RightsNote info={info} />
    </div>
  );
}
