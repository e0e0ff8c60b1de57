/**
 * Runs before pages, server actions and the export and privacy download routes (not before files:
 * paths with a dot): picks the locale (next-intl) and keeps pages behind a live session, except the
 * sign-in pages and the data-subject portal, which anyone may open. It ends idle sessions
 * (automatic logoff), renews access tokens shortly before they expire.
 */
import { type NextRequest, NextResponse } from 'next/server';
import { hasLocale } from 'next-intl';
import createIntlMiddleware from 'next-intl/middleware';
import { problemResponse } from '@/features/api/problem-response';
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

/**
 * The data-subject portal: anyone may file a request, verify it and follow it without an account
 * (`/{locale}/portal/{tenantSlug}`, `…/portal/requests/{reference}[/verify]`). A signed-in visitor's
 * session is still kept alive there (they file without a code). `portal/mine` lists a signed-in
 * person's own requests and needs a session like any other page.
 */
const isPortalPage = (page: string | undefined, rest: string | undefined) =>
  page === 'portal' && rest !== 'mine';

/** Refresh the idle clock at most this often, so most requests set no cookie. */
const TOUCH_EVERY_SECONDS = 30;

interface Renewed {
  session: Session;
  sealed: string;
}

type Checked =
  | { live: true; renewed?: Renewed }
  | { live: false; reason: 'none' | 'idle' | 'expired'; hadCookie: boolean };

/** Whether the request's session may be used, and its re-sealed cookie when it changed. */
async function checkSession(request: NextRequest): Promise<Checked> {
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value);
  if (!session) return { live: false, reason: 'none', hadCookie: request.cookies.has(SESSION_COOKIE) };
  const ended = sessionEnd(session);
  if (ended) return { live: false, reason: ended, hadCookie: true };
  const now = nowSeconds();
  let current: Session = session;
  const stillValid = session.accessTokenExpiresAt > now;
  // A public client's refresh token is single-use (the provider rotates it and treats a second use
  // as theft). Prefetches come in parallel, so they never renew while the token still works.
  if (needsRenewal(session, now) && !(stillValid && isPrefetch(request))) {
    const renewed = await renew(session);
    if (renewed) current = renewed;
    else if (!stillValid) return { live: false, reason: 'expired', hadCookie: true };
  }
  if (current === session && now - session.lastSeenAt < TOUCH_EVERY_SECONDS) return { live: true };
  const touched = { ...current, lastSeenAt: now };
  return { live: true, renewed: { session: touched, sealed: await sealSession(touched) } };
}

const isPrefetch = (request: NextRequest) =>
  request.headers.has('next-router-prefetch') || request.headers.get('purpose') === 'prefetch';

export default async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname } = request.nextUrl;
  if (pathname.startsWith('/api/')) {
    const checked = await checkSession(request);
    if (!checked.live) {
      const response = problemResponse(401, 'unauthenticated');
      if (checked.hadCookie) response.cookies.delete(SESSION_COOKIE);
      return response;
    }
    return withSession(NextResponse.next(), checked.renewed);
  }

  const [, locale, page, rest] = pathname.split('/');
  if (!hasLocale(routing.locales, locale) || PUBLIC_PAGES.has(page ?? '')) return intl(request);
  if (isPortalPage(page, rest)) {
    if (!request.cookies.has(SESSION_COOKIE)) return intl(request);
    const checked = await checkSession(request);
    if (checked.live) return withSession(intl(request), checked.renewed);
    // An ended session on a public page: drop it and go on as a visitor.
    const response = intl(request);
    response.cookies.delete(SESSION_COOKIE);
    return response;
  }

  const checked = await checkSession(request);
  if (!checked.live) {
    const signIn = new URL(`/${locale}/sign-in`, request.url);
    signIn.searchParams.set('returnTo', `${pathname}${request.nextUrl.search}`);
    if (checked.reason !== 'none') signIn.searchParams.set('reason', checked.reason);
    const response = NextResponse.redirect(signIn);
    if (checked.hadCookie) response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  return withSession(intl(request), checked.renewed);
}

/**
 * Sets the renewed cookie on the response. Next.js also applies cookies set here to this same
 * request (`cookies()` in server code sees them), so the page already calls the API with the new
 * token; tests/web/session.spec.ts proves it with a token that only renewal can replace.
 */
function withSession(response: NextResponse, renewed: Renewed | undefined): NextResponse {
  if (renewed) response.cookies.set(SESSION_COOKIE, renewed.sealed, sessionCookieOptions(renewed.session));
  return response;
}

export const config = {
  // Pages (not Next.js internals or files with an extension), and the API routes that use the session.
  // `/api/privacy/…` streams officers' downloads (request results, the record of processing); the
  // portal's own download (`/api/portal/…`) is public and checks the request's access cookie instead.
  matcher: ['/((?!api|_next|.*\\..*).*)', '/api/audit-exports', '/api/privacy/:path*'],
};
