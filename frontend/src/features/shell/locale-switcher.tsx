'use client';
import { useSearchParams } from 'next/navigation';
import { useLocale, useTranslations } from 'next-intl';
import { Link, usePathname } from '@/i18n/navigation';
import { routing } from '@/i18n/routing';

/** Each locale's name in its own language, so a reader finds theirs whatever the page's language. */
const names = { en: 'English', de: 'Deutsch', ru: 'Русский', ar: 'العربية' } as const;

/** A disclosure listing the locales as links to this same page; works without JavaScript too. */
export function LocaleSwitcher() {
  const t = useTranslations('shell');
  const locale = useLocale();
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const href = search ? `${pathname}?${search}` : pathname;
  return (
    <details className="locale-switcher">
      <summary>
        {t('language')}: <span lang={locale}>{names[locale]}</span>
      </summary>
      <ul>
        {routing.locales.map((other) => (
          <li key={other}>
            <Link
              href={href}
              locale={other}
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
