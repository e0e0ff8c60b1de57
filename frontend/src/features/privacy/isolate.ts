import { directionOf, type Locale } from '@/i18n/routing';

/**
 * A left-to-right token (a reference such as DSR-7K3M-Q9XW) put into right-to-left text as a unit
 * (Unicode isolates, LRI…PDI): without them Arabic text reorders its parts around the hyphens.
 * Left-to-right pages get the text unchanged.
 */
export const isolate = (text: string, locale: Locale): string =>
  directionOf(locale) === 'rtl' ? `\u2066${text}\u2069` : text;
