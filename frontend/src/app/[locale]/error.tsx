'use client';
/**
 * An unexpected failure (the API unreachable, say): a translated message, never a stack trace.
 * The texts are loaded from the locale's message file only when this page shows, so the i18n
 * runtime and catalogue are not part of every page's JavaScript.
 */
import { useParams } from 'next/navigation';
import { Suspense, use } from 'react';
import { routing } from '@/i18n/routing';

interface ErrorText {
  title: string;
  body: string;
  retry: string;
}

const loaded = new Map<string, Promise<ErrorText>>();

function errorText(locale: string): Promise<ErrorText> {
  // Not next-intl's hasLocale: importing 'next-intl' in a client component ships its ICU runtime (~10 kB).
  const known = (routing.locales as readonly string[]).includes(locale) ? locale : routing.defaultLocale;
  let text = loaded.get(known);
  if (!text) {
    text = import(`../../../messages/${known}.json`).then((m) => m.default.errors.unexpected as ErrorText);
    loaded.set(known, text);
  }
  return text;
}

function ErrorMessage({ locale, retry }: { locale: string; retry: () => void }) {
  const text = use(errorText(locale));
  return (
    <section className="stack">
      <div className="page-heading">
        <h1>{text.title}</h1>
        <p className="lede">{text.body}</p>
      </div>
      <p>
        <button type="button" className="button" onClick={retry}>
          {text.retry}
        </button>
      </p>
    </section>
  );
}

/**
 * `retry` (Next.js 16) fetches the page's server data again; `reset` only re-renders what the
 * browser has, which cannot recover from a failed server render.
 */
export default function ErrorPage({ reset, retry }: { error: Error; reset: () => void; retry?: () => void }) {
  const { locale } = useParams<{ locale: string }>();
  return (
    <Suspense fallback={null}>
      <ErrorMessage locale={locale} retry={retry ?? reset} />
    </Suspense>
  );
}
