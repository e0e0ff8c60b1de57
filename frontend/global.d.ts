import type messages from './messages/en.json';
import type { routing } from './src/i18n/routing';

// Messages are typed from the English file: a key used in code but missing there fails the type
// check. `npm run i18n:check` compares the other locales with it (missing and unused keys).
declare module 'next-intl' {
  interface AppConfig {
    Locale: (typeof routing.locales)[number];
    Messages: typeof messages;
  }
}
