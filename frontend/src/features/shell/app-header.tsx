import { unstable_rethrow } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { Suspense } from 'react';
import { currentSession } from '@/features/api/api-client';
import { mayDo, myPermissions } from '@/features/api/me';
import { filesForSelf, sectionPath, visibleSections } from '@/features/privacy/sections';
import { localeHref } from '@/i18n/link';
import type { Locale } from '@/i18n/routing';
import { LocaleSwitcher } from './locale-switcher';
import { NavLink } from './nav-link';

/** The top bar: brand, the sections this user may open (from the API's permissions), locale, sign-out. */
export async function AppHeader({ locale }: { locale: Locale }) {
  const t = await getTranslations({ locale, namespace: 'shell' });
  // The header must not take the page down with it: without permissions it shows no menu. A
  // redirect to sign in (the API refused the token) still goes through.
  const signedIn = (await currentSession()) !== undefined;
  const permissions = await myPermissions().catch((error: unknown) => {
    unstable_rethrow(error);
    return undefined;
  });
  const sections = permissions
    ? [
        { href: '/', label: t('nav.dashboard') },
        ...(mayDo(permissions, 'read', 'Device') ? [{ href: '/devices', label: t('nav.devices') }] : []),
        ...(mayDo(permissions, 'claim', 'Device') ? [{ href: '/claim', label: t('nav.claim') }] : []),
        ...(mayDo(permissions, 'read', 'AuditEvent')
          ? [{ href: '/compliance', label: t('nav.compliance') }]
          : []),
        // The privacy office's pages start at the first one this user may open.
        ...visibleSections(permissions)
          .slice(0, 1)
          .map((section) => ({ href: sectionPath[section], label: t('nav.privacy') })),
        ...(filesForSelf(permissions) ? [{ href: '/portal/mine', label: t('nav.myRequests') }] : []),
        { href: '/account', label: t('nav.account') },
      ]
    : [];
  return (
    <header className="app-header">
      <div className="brand">
        <span aria-hidden="true" className="brand-mark">
          ◆
        </span>
        {t('brand')}
      </div>
      {sections.length > 0 && (
        <nav aria-label={t('nav.label')} className="main-nav">
          <ul>
            {sections.map((section) => (
              <li key={section.href}>
                <NavLink href={localeHref(locale, section.href)} home={section.href === '/'}>
                  {section.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <div className="header-tools">
        {/* Reads the query string: a Suspense boundary keeps static pages static. */}
        <Suspense fallback={null}>
          <LocaleSwitcher locale={locale} label={t('language')} />
        </Suspense>
        {/* Sign-out shows whenever there is a session, even if the API is down (a shared workstation). */}
        {signedIn && (
          <form action={`/api/auth/logout?returnTo=/${locale}`} method="post" className="sign-out">
            {permissions && (
              <span className="signed-in-as">{t('signedInAs', { username: permissions.username })}</span>
            )}
            <button type="submit" className="button secondary">
              {t('signOut')}
            </button>
          </form>
        )}
      </div>
    </header>
  );
}
