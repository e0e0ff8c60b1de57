import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('signIn');
  return { title: t('title') };
}

export default async function SignInPage({ params, searchParams }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const query = await searchParams;
  const t = await getTranslations('signIn');
  const reason = typeof query.reason === 'string' ? query.reason : undefined;
  const error = typeof query.error === 'string' ? query.error : undefined;
  const returnTo =
    typeof query.returnTo === 'string' && query.returnTo.startsWith(`/${locale}`)
      ? query.returnTo
      : `/${locale}`;
  return (
    <section className="stack narrow">
      <PageHeading title={t('title')}>{t('intro')}</PageHeading>
      {reason === 'idle' && <Notice title={t('reason.idle')} />}
      {reason === 'expired' && <Notice title={t('reason.expired')} />}
      {error && <Notice tone="error" title={t('error')} />}
      <p>
        <a className="button" href={`/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`}>
          {t('action')}
        </a>
      </p>
      <p className="hint">{t('demoHint')}</p>
    </section>
  );
}
