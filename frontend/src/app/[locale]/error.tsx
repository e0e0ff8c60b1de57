'use client';
import { useTranslations } from 'next-intl';

/** An unexpected failure (the API unreachable, say): a translated message, never a stack trace. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const t = useTranslations('errors');
  return (
    <section className="stack">
      <div className="page-heading">
        <h1>{t('unexpected.title')}</h1>
        <p className="lede">{t('unexpected.body')}</p>
      </div>
      <p>
        <button type="button" className="button" onClick={reset}>
          {t('unexpected.retry')}
        </button>
      </p>
    </section>
  );
}
