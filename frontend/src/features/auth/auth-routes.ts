/** The sign-in, callback and sign-out steps, as plain functions the route handlers call. */
import 'server-only';
import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { hasLocale } from 'next-intl';
import { env } from '@/env';
import { problemResponse } from '@/features/api/problem-response';
import { type Locale, routing } from '@/i18n/routing';
import { callbackUrl, client, oidcConfiguration } from './oidc';
import {
  cookieOptions,
  LOGIN_COOKIE,
  nowSeconds,
  SESSION_COOKIE,
  sealPendingLogin,
  sealSession,
  sessionCookieOptions,
  unsealPendingLogin,
  unsealSession,
} from './session';

/**
 * Only pages of this app may be returned to after sign-in (no open redirect). The value is resolved
 * as a browser would (tabs and line breaks dropped, dot segments collapsed: `/.//evil.example` is
 * `//evil.example`), and what comes out must be a path under one of our locales.
 */
export function safeReturnTo(value: string | null | undefined): string {
  const fallback = `/${routing.defaultLocale}`;
  if (!value?.startsWith('/')) return fallback;
  const base = 'http://custos.invalid';
  const resolved = URL.parse(value, base);
  if (!resolved || resolved.origin !== base) return fallback;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  const locale = resolved.pathname.split('/')[1] ?? '';
  if (path.startsWith('//') || path.startsWith('/\\') || !hasLocale(routing.locales, locale)) return fallback;
  return path;
}

const localeOf = (path: string): Locale => {
  const first = path.split('/')[1] ?? '';
  return hasLocale(routing.locales, first) ? first : routing.defaultLocale;
};

const publicUrl = (path: string) => new URL(path, env().WEB_PUBLIC_URL);

export async function startSignIn(request: NextRequest): Promise<NextResponse> {
  const returnTo = safeReturnTo(request.nextUrl.searchParams.get('returnTo'));
  const config = await oidcConfiguration();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl().href,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ui_locales: localeOf(returnTo),
  });
  const response = NextResponse.redirect(authorizationUrl);
  response.cookies.set(
    LOGIN_COOKIE,
    await sealPendingLogin({ state, codeVerifier, returnTo }),
    cookieOptions(600),
  );
  return response;
}

export async function finishSignIn(request: NextRequest): Promise<NextResponse> {
  const pending = await unsealPendingLogin(request.cookies.get(LOGIN_COOKIE)?.value);
  const failed = (reason: string, locale = routing.defaultLocale) => {
    const response = NextResponse.redirect(publicUrl(`/${locale}/sign-in?error=${reason}`));
    response.cookies.delete(LOGIN_COOKIE);
    return response;
  };
  if (!pending) return failed('expired');
  const locale = localeOf(pending.returnTo);
  if (request.nextUrl.searchParams.get('error')) return failed('denied', locale);
  try {
    const config = await oidcConfiguration();
    // The URL the provider redirected to, as the browser saw it (not the server's bind address).
    const current = publicUrl(`${request.nextUrl.pathname}${request.nextUrl.search}`);
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
    });
    const now = nowSeconds();
    const response = NextResponse.redirect(publicUrl(pending.returnTo));
    response.cookies.delete(LOGIN_COOKIE);
    const session = {
      accessToken: tokens.access_token,
      accessTokenExpiresAt: now + (tokens.expiresIn() ?? 60),
      refreshToken: tokens.refresh_token ?? null,
      signedInAt: now,
      lastSeenAt: now,
    };
    response.cookies.set(SESSION_COOKIE, await sealSession(session), sessionCookieOptions(session));
    return response;
  } catch {
    return failed('failed', locale);
  }
}

/** Whether a state-changing request comes from this app's own pages (CSRF). */
export const fromOurPages = (request: NextRequest) =>
  request.headers.get('origin') === new URL(env().WEB_PUBLIC_URL).origin;

/**
 * Ends the session here and at the provider (RP-initiated logout, identified by our client id: the
 * session keeps no ID token), then comes back signed out. Only our own pages may sign someone out.
 */
export async function signOut(request: NextRequest): Promise<NextResponse> {
  if (!fromOurPages(request)) return problemResponse(403, 'forbidden');
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value);
  const locale = localeOf(safeReturnTo(request.nextUrl.searchParams.get('returnTo')));
  let target = publicUrl(`/${locale}/signed-out`);
  try {
    const config = await oidcConfiguration();
    if (session?.refreshToken) {
      await client.tokenRevocation(config, session.refreshToken).catch(() => undefined);
    }
    target = client.buildEndSessionUrl(config, { post_logout_redirect_uri: publicUrl('/').href });
  } catch {
    // The provider is unreachable: the local session still ends.
  }
  const response = NextResponse.redirect(target, 303);
  response.cookies.delete(SESSION_COOKIE);
  return response;
}
