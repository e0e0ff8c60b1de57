/**
 * Names of things the privacy declarations define (purposes, jurisdictions, tables, categories):
 * translated where the messages know them, else as the API gave them (in English, marked so).
 */
import 'server-only';
import { getLocale, getTranslations } from 'next-intl/server';

export interface Named {
  text: string;
  /** Set when the text is the API's English, so that screen readers pronounce it right. */
  lang?: 'en';
}

export async function privacyNames() {
  const t = await getTranslations('privacy.names');
  const english = (await getLocale()) === 'en' ? undefined : ('en' as const);
  const pick = (
    group: 'purposes' | 'jurisdictions' | 'tables' | 'categories',
    id: string,
    fallback?: string,
  ) => {
    // Message keys cannot hold dots (they nest): category ids (user.device.telemetry) use _ there.
    const key = `${group}.${id.replaceAll('.', '_')}` as Parameters<typeof t>[0];
    if (t.has(key)) return { text: t(key) };
    return { text: fallback ?? id, lang: english } satisfies Named;
  };
  return {
    purpose: (id: string, fallback?: string): Named => pick('purposes', id, fallback),
    jurisdiction: (id: string, fallback?: string): Named => pick('jurisdictions', id, fallback),
    table: (id: string): Named => pick('tables', id),
    category: (id: string, fallback?: string): Named => pick('categories', id, fallback),
    /** Free text from the declarations (reasons, bases): English unless the page is. */
    english,
  };
}
