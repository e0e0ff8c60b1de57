/** Renews the access token with the refresh token shortly before it expires. */
import 'server-only';
import { client, oidcConfiguration } from './oidc';
import { nowSeconds, type Session } from './session';

/** Renew when less than this remains, so a page's API calls never carry an expiring token. */
const RENEW_BEFORE_SECONDS = 30;

export const needsRenewal = (session: Session, now = nowSeconds()) =>
  session.accessTokenExpiresAt - now < RENEW_BEFORE_SECONDS;

/** The renewed session, or undefined when the provider refuses (the user must sign in again). */
export async function renew(session: Session): Promise<Session | undefined> {
  if (!session.refreshToken) return undefined;
  try {
    const tokens = await client.refreshTokenGrant(await oidcConfiguration(), session.refreshToken);
    return {
      ...session,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: nowSeconds() + (tokens.expiresIn() ?? 60),
      refreshToken: tokens.refresh_token ?? session.refreshToken,
      idToken: tokens.id_token ?? session.idToken,
    };
  } catch {
    return undefined;
  }
}
