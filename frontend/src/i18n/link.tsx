/**
 * A link to a page of this app in the page's own locale, rendered on the server (`next/link` with
 * the locale prefix put in here), so pages need no client-side i18n runtime for their links.
 */
import NextLink from 'next/link';
import { getLocale } from 'next-intl/server';
import type { ComponentProps } from 'react';

export type AppHref = string | { pathname: string; query?: Record<string, string> };

export function localeHref(locale: string, href: AppHref): string {
  const pathname = typeof href === 'string' ? href : href.pathname;
  const query = typeof href === 'string' ? '' : new URLSearchParams(href.query ?? {}).toString();
  const path = pathname === '/' ? `/${locale}` : `/${locale}${pathname}`;
  return query ? `${path}?${query}` : path;
}

export async function Link({
  href,
  ...props
}: Omit<ComponentProps<typeof NextLink>, 'href'> & { href: AppHref }) {
  return <NextLink href={localeHref(await getLocale(), href)} {...props} />;
}
