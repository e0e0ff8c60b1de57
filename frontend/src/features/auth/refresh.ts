/** Renews the access token with the refresh token shortly before it expires. */
import 'server-only';
import { client, oidcConfiguration } from './oidc';
import { nowSeconds, type Session } from './session';

/** Renew when less than this remains, so a page's API calls never carry an expiring token. */
const RENEW_BEFORE_SECONDS = 30;
/** How long a renewal's result is handed to requests that still carry the old refresh token. */
const REUSE_RESULT_MS = 60_000;

export const needsRenewal = (session: Session, now = nowSeconds()) =>
  session.accessTokenExpiresAt - now < RENEW_BEFORE_SECONDS;

/**
 * A public client's refresh token is single-use: the provider rotates it and treats a second use
 * as theft (it revokes the grant). Requests that arrive together with the same token therefore
 * share one renewal, and late ones (a response with the old cookie overtaking the new one) get its
 * result instead of spending the token again. Per instance: see ADR 0016 for several instances.
 */
const renewals = new Map<string, Promise<Session | undefined>>();

/** The renewed session, or undefined when the provider refuses (the user must sign in again). */
export function renew(session: Session): Promise<Session | undefined> {
  const token = session.refreshToken;
  if (!token) return Promise.resolve(undefined);
  let renewal = renewals.get(token);
  if (!renewal) {
    renewal = renewWithProvider(session, token);
    renewals.set(token, renewal);
    setTimeout(() => renewals.delete(token), REUSE_RESULT_MS).unref();
  }
  // Each request keeps its own idle clock; only the tokens come from the shared renewal.
  return renewal.then((renewed) => renewed && { ...renewed, lastSeenAt: session.lastSeenAt });
}

async function renewWithProvider(session: Session, refreshToken: string): Promise<Session | undefined> {
  try {
    const tokens = await client.refreshTokenGrant(await oidcConfiguration(), refreshToken);
    return {
      ...session,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: nowSeconds() + (tokens.expiresIn() ?? 60),
      refreshToken: tokens.refresh_token ?? refreshToken,
    };
  } catch {
    return undefined;
  }
}
