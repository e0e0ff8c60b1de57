import { getTranslations } from 'next-intl/server';
import { PageHeading } from '@/features/shell/page-heading';
import { Link } from '@/i18n/link';

export default async function NotFound() {
  const t = await getTranslations('errors');
  return (
    <section className="stack">
      <PageHeading title={t('notFound.title')}>{t('notFound.body')}</PageHeading>
      <p>
        <Link href="/">{t('backToDashboard')}</Link>
      </p>
    </section>
  );
}
