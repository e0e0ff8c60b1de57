import type { Metadata } from 'next';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { PageHeading } from '@/features/shell/page-heading';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('signedOut');
  return { title: t('title') };
}

export default async function SignedOutPage({ params }: LocalePageProps) {
  const { locale } = (await params) as { locale: Locale };
  setRequestLocale(locale);
  const t = await getTranslations('signedOut');
  return (
    <section className="stack narrow">
      <PageHeading title={t('title')}>{t('body')}</PageHeading>
      <p>
        <a className="button" href={`/api/auth/login?returnTo=/${locale}`}>
          {t('signInAgain')}
        </a>
      </p>
    </section>
  );
}
