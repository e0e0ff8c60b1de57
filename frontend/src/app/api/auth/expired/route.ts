/**
 * Where pages send the user when the API refuses their token mid-session (revoked, or the
 * provider's keys changed) or find the session over. Server components cannot delete cookies, so
 * this route does: it checks that the session really is over or refused by the API (a link from
 * elsewhere cannot sign anyone out), ends it and shows the sign-in page.
 */
import { type NextRequest, NextResponse } from 'next/server';
import { hasLocale } from 'next-intl';
import { env } from '@/env';
import { apiUrl } from '@/features/api/api-client';
import { SESSION_COOKIE, sessionEnd, unsealSession } from '@/features/auth/session';
import { routing } from '@/i18n/routing';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest) {
  const requested = request.nextUrl.searchParams.get('locale');
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value);
  const refused =
    !session ||
    sessionEnd(session) !== undefined ||
    (await fetch(apiUrl('/v1/users/me/permissions'), {
      headers: { authorization: `Bearer ${session.accessToken}` },
      cache: 'no-store',
    }).then(
      (response) => response.status === 401,
      () => false,
    ));
  const target = refused ? `/${locale}/sign-in?reason=expired` : `/${locale}`;
  const response = NextResponse.redirect(new URL(target, env().WEB_PUBLIC_URL));
  if (refused) response.cookies.delete(SESSION_COOKIE);
  return response;
}
