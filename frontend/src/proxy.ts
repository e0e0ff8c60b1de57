/**
 * Runs before every page (and the export route): picks the locale (next-intl) and keeps pages
 * behind a live session. It ends idle sessions (automatic logoff), renews access tokens shortly
 * before they expire, and hands the renewed cookie both to the browser and to this request.
 */
import { type NextRequest, NextResponse } from 'next/server';
import createIntlMiddleware from 'next-intl/middleware';
import { needsRenewal, renew } from '@/features/auth/refresh';
import {
  nowSeconds,
  SESSION_COOKIE,
  type Session,
  sealSession,
  sessionCookieOptions,
  sessionEnd,
  unsealSession,
} from '@/features/auth/session';
import { routing } from '@/i18n/routing';

const intl = createIntlMiddleware(routing);

/** Pages anyone may open: the sign-in page and the one shown after signing out. */
const PUBLIC_PAGES = new Set(['sign-in', 'signed-out']);
/** Refresh the idle clock at most this often, so most requests set no cookie. */
const TOUCH_EVERY_SECONDS = 30;

type Checked =
  | { live: true; sealed?: string }
  | { live: false; reason: 'none' | 'idle' | 'expired'; hadCookie: boolean };

/** Whether the request's session may be used, and its re-sealed cookie when it changed. */
async function checkSession(request: NextRequest): Promise<Checked> {
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value);
  if (!session) return { live: false, reason: 'none', hadCookie: request.cookies.has(SESSION_COOKIE) };
  const ended = sessionEnd(session);
  if (ended) return { live: false, reason: ended, hadCookie: true };
  const now = nowSeconds();
  let current: Session = session;
  if (needsRenewal(session, now)) {
    const renewed = await renew(session);
    if (!renewed) return { live: false, reason: 'expired', hadCookie: true };
    current = renewed;
  }
  if (current === session && now - session.lastSeenAt < TOUCH_EVERY_SECONDS) return { live: true };
  return { live: true, sealed: await sealSession({ ...current, lastSeenAt: now }) };
}

export default async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    const checked = await checkSession(request);
    if (!checked.live) {
      const response = NextResponse.json(
        { status: 401, code: 'unauthenticated', title: 'Sign in again' },
        { status: 401, headers: { 'content-type': 'application/problem+json' } },
      );
      if (checked.hadCookie) response.cookies.delete(SESSION_COOKIE);
      return response;
    }
    return withSession(request, NextResponse.next(), checked.sealed);
  }

  const [, locale, page] = pathname.split('/');
  const hasLocale = (routing.locales as readonly string[]).includes(locale ?? '');
  if (!hasLocale || PUBLIC_PAGES.has(page ?? '')) return intl(request);

  const checked = await checkSession(request);
  if (!checked.live) {
    const signIn = new URL(`/${locale}/sign-in`, request.url);
    signIn.searchParams.set('returnTo', `${pathname}${request.nextUrl.search}`);
    if (checked.reason !== 'none') signIn.searchParams.set('reason', checked.reason);
    const response = NextResponse.redirect(signIn);
    if (checked.hadCookie) response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  return withSession(request, intl(request), checked.sealed);
}

function withSession(request: NextRequest, response: NextResponse, sealed: string | undefined): NextResponse {
  if (!sealed) return response;
  response.cookies.set(SESSION_COOKIE, sealed, sessionCookieOptions());
  forwardCookie(request, response, sealed);
  return response;
}

/**
 * Server code reads cookies from the request; a renewed session must reach it in this same
 * request. Next.js carries request-header overrides from the proxy in these headers (what
 * `NextResponse.next({ request: { headers } })` sets): the list of headers to keep, and each value.
 */
function forwardCookie(request: NextRequest, response: NextResponse, sealed: string) {
  const cookies = request.cookies
    .getAll()
    .filter((cookie) => cookie.name !== SESSION_COOKIE)
    .map((cookie) => `${cookie.name}=${cookie.value}`);
  cookies.push(`${SESSION_COOKIE}=${sealed}`);
  const overridden = response.headers.get('x-middleware-override-headers');
  const names = new Set(overridden ? overridden.split(',') : []);
  if (!overridden) {
    for (const [name, value] of request.headers) {
      names.add(name);
      if (name !== 'cookie') response.headers.set(`x-middleware-request-${name}`, value);
    }
  }
  names.add('cookie');
  response.headers.set('x-middleware-override-headers', [...names].join(','));
  response.headers.set('x-middleware-request-cookie', cookies.join('; '));
}

export const config = {
  // Pages (not Next.js internals or files with an extension), and the API routes that use the session.
  matcher: ['/((?!api|_next|.*\\..*).*)', '/api/audit-exports'],
};
