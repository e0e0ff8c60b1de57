import type Provider from 'oidc-provider';
import { errors, type ResourceServer, type TokenEndpointGrantContext } from 'oidc-provider';
import { findUserById, verifyUserCredentials } from './accounts.js';

/**
 * Keycloak's "direct access grants": `grant_type=password` with `username` and `password`
 * (RFC 6749 §4.3). oidc-provider has no such grant, so it is registered as a custom one. Only the
 * demo users can use it, only through the public client `custos-cli`, and only in development.
 */
export const PASSWORD_GRANT = 'password';
const PARAMETERS = ['username', 'password', 'scope', 'resource'];

export interface PasswordGrantOptions {
  apiAudience: string;
  resourceServer: ResourceServer;
  supportedScopes: readonly string[];
}

export function registerPasswordGrant(provider: Provider, options: PasswordGrantOptions): void {
  const supported = new Set(options.supportedScopes);

  async function passwordGrant(ctx: TokenEndpointGrantContext): Promise<void> {
    const { params, client } = ctx.oidc;
    if (typeof params.username !== 'string' || !params.username || typeof params.password !== 'string') {
      throw new errors.InvalidRequest("missing required parameter 'username' or 'password'");
    }
    const resource = params.resource ?? options.apiAudience;
    if (resource !== options.apiAudience) throw new errors.InvalidTarget();

    const scopes = (params.scope ?? 'openid').split(' ').filter(Boolean);
    const unsupported = scopes.find((scope) => !supported.has(scope));
    if (unsupported) throw new errors.InvalidScope('requested scope is not allowed', unsupported);
    const scope = scopes.join(' ');

    const user = verifyUserCredentials(params.username, params.password);
    // Keycloak's answer, word for word; InvalidGrant would only carry a generic description.
    if (!user) throw new errors.CustomOIDCProviderError('invalid_grant', 'Invalid user credentials');

    // No Grant record: JWT access tokens are not stored, and nothing looks the grant up later.
    const accessToken = new provider.AccessToken({
      accountId: user.id,
      client,
      gty: PASSWORD_GRANT,
      scope,
      grantId: undefined as unknown as string,
    });
    accessToken.resourceServer = new provider.ResourceServer(options.apiAudience, options.resourceServer);
    const value = await accessToken.save();

    let idToken: string | undefined;
    if (scopes.includes('openid')) {
      const account = findUserById(user.id);
      const token = new provider.IdToken({ sub: user.id, preferred_username: account?.username }, { ctx });
      Object.assign(token, { scope: 'openid' });
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: value,
      expires_in: accessToken.expiration,
      token_type: 'Bearer',
      ...(idToken ? { id_token: idToken } : {}),
      scope,
    };
  }

  provider.registerGrantType(PASSWORD_GRANT, passwordGrant, PARAMETERS);
}
