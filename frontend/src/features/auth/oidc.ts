/**
 * The OpenID Connect client (authorization code + PKCE, public client `custos-web`): the same
 * code talks to the development provider and to Keycloak; only WEB_OIDC_ISSUER differs.
 */
import 'server-only';
import * as client from 'openid-client';
import { env } from '@/env';

let discovered: Promise<client.Configuration> | undefined;

export function oidcConfiguration(): Promise<client.Configuration> {
  if (!discovered) {
    const { WEB_OIDC_ISSUER, WEB_OIDC_CLIENT_ID } = env();
    const issuer = new URL(WEB_OIDC_ISSUER);
    discovered = client
      .discovery(issuer, WEB_OIDC_CLIENT_ID, undefined, client.None(), {
        // Plain HTTP is allowed only for a provider on this machine (development and tests).
        execute: isLoopback(issuer) ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
  }
  return discovered;
}

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

export const callbackUrl = () => new URL('/api/auth/callback', env().WEB_PUBLIC_URL);

export { client };
