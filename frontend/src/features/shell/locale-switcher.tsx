'use client';
import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';
import { routing } from '@/i18n/routing';

/** Each locale's name in its own language, so a reader finds theirs whatever the page's language. */
const names = { en: 'English', de: 'Deutsch', ru: 'Русский', ar: 'العربية' } as const;

/**
 * A disclosure listing the locales as links to this same page (query included); works without
 * JavaScript too. Its label comes translated from the server, so the browser needs no i18n runtime.
 */
export function LocaleSwitcher({ locale, label }: { locale: keyof typeof names; label: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const rest = pathname.split('/').slice(2).join('/');
  const hrefFor = (other: string) => `/${other}${rest ? `/${rest}` : ''}${search ? `?${search}` : ''}`;
  return (
    <details className="locale-switcher">
      <summary>
        {label}: <span lang={locale}>{names[locale]}</span>
      </summary>
      <ul>
        {routing.locales.map((other) => (
          <li key={other}>
            <Link
              href={hrefFor(other)}
              lang={other}
              hrefLang={other}
              aria-current={other === locale ? 'true' : undefined}
            >
              {names[other]}
            </Link>
          </li>
        ))}
      </ul>
    </details>
  );
}
