import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { getTranslations, setRequestLocale } from 'next-intl/server';
import { canonicalReference } from '@/features/portal/portal-api';
import { PortalRefusal } from '@/features/portal/portal-refusal';
import { TimeZoneField } from '@/features/portal/time-zone-field';
import { resendCode, verifyCode } from '@/features/portal/verify-action';
import { isolate } from '@/features/privacy/isolate';
import { FocusHere } from '@/features/shell/focus-here';
import { Notice } from '@/features/shell/notice';
import { PageHeading } from '@/features/shell/page-heading';
import { firstValue } from '@/features/shell/query-string';
import type { LocalePageProps } from '@/i18n/page-props';
import type { Locale } from '@/i18n/routing';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('portal.verify');
  return { title: t('title') };
}

/**
 * Entering the code from the mail. The same page for every reference, known or not: whether a
 * request exists is never revealed to someone without its code.
 */
export default async function VerifyPage({ params, searchParams }: LocalePageProps<{ reference: string }>) {
  const { locale, reference: typed } = (await params) as { locale: Locale; reference: string };
  setRequestLocale(locale);
  const reference = canonicalReference(typed);
  if (!reference) notFound();
  // A reference typed in lower case: the printed form, so the access cookie is found under one name.
  if (reference !== typed) redirect(`/${locale}/portal/requests/${reference}/verify`);
  const t = await getTranslations('portal.verify');
  const query = await searchParams;
  const error = firstValue(query.error) || undefined;
  const left = firstValue(query.left);
  const outcome = JSON.stringify(query);
  return (
    <div className="stack narrow">
      <PageHeading title={t('heading')}>{t('intro', { reference: isolate(reference, locale) })}</PageHeading>
      {firstValue(query.filed) === '1' && (
        <FocusHere key={outcome}>
          <Notice tone="success" title={t('filed', { reference: isolate(reference, locale) })}>
            <p>{t('filedBody')}</p>
          </Notice>
        </FocusHere>
      )}
      {firstValue(query.sent) === '1' && (
        <FocusHere key={outcome} id="verify-sent">
          <Notice tone="success" title={t('sent')} />
        </FocusHere>
      )}
      {error && (
        <PortalRefusal
          key={outcome}
          id="verify-error"
          error={error}
          retrySeconds={Number(firstValue(query.retry))}
          attemptsLeft={/^\d+$/.test(left) ? Number(left) : undefined}
        />
      )}
      <section aria-labelledby="code-heading" className="card">
        <h2 id="code-heading">{t('codeTitle')}</h2>
        <form key={outcome} action={verifyCode} className="portal-form">
          <input type="hidden" name="locale" value={locale} />
          <input type="hidden" name="reference" value={reference} />
          <TimeZoneField />
          <div className="field">
            <label htmlFor="verify-code">{t('code')}</label>
            <input
              id="verify-code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              maxLength={9}
              dir="ltr"
              className="code-input"
              aria-invalid={error === 'invalid_code' || error === 'code_format' || undefined}
              aria-describedby={['verify-code-hint', error ? 'verify-error-text' : '']
                .filter(Boolean)
                .join(' ')}
            />
            <p id="verify-code-hint" className="hint">
              {t('codeHint')}
            </p>
          </div>
          <div>
            <button type="submit" className="button">
              {t('submit')}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="resend-heading" className="card">
        <h2 id="resend-heading">{t('resendTitle')}</h2>
        <p>{t('resendBody')}</p>
        <form action={resendCode}>
          <input type="hidden" name="locale" value={locale} />
          <input type="hidden" name="reference" value={reference} />
          <button type="submit" className="button secondary">
            {t('resend')}
          </button>
        </form>
      </section>
    </div>
  );
}
