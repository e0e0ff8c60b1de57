/** Reading a submitted form in server actions: strings only (a file field reads as empty). */
import { hasLocale } from 'next-intl';
import { type Locale, routing } from '@/i18n/routing';

export const formText = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export const formTexts = (form: FormData, name: string): string[] =>
  form.getAll(name).filter((value): value is string => typeof value === 'string');

/** The locale the form was shown in (a hidden field), or the default one. */
export const formLocale = (form: FormData): Locale => {
  const requested = formText(form, 'locale');
  return hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
};
