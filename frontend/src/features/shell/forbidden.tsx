import { getTranslations } from 'next-intl/server';
import { Link } from '@/i18n/link';
import { PageHeading } from './page-heading';

/** Shown where the policies do not let this user see a page: says so, and where to go instead. */
export async function Forbidden() {
  const t = await getTranslations('errors');
  return (
    <section className="stack">
      <PageHeading title={t('forbidden.title')}>{t('forbidden.body')}</PageHeading>
      <p>
        <Link href="/account">{t('forbidden.seeAccount')}</Link>
      </p>
      <p>
        <Link href="/">{t('backToDashboard')}</Link>
      </p>
    </section>
  );
}
