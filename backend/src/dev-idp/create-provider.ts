import { randomBytes } from 'node:crypto';
import Provider, {
  type ClientMetadata,
  type Configuration,
  errors,
  type ResourceServer,
} from 'oidc-provider';
import {
  CLI_CLIENT_ID,
  findUserById,
  SERVICE_ACCOUNT_USERNAME,
  SERVICE_CLIENT_ID,
  serviceAccountClaims,
  userClaims,
  WEB_CLIENT_ID,
} from './accounts.js';
import { page } from './http-util.js';
import { errorPage, INTERACTION_SUBPATH } from './interactions.js';
import type { MemoryStore } from './memory-adapter.js';
import { PASSWORD_GRANT, registerPasswordGrant } from './password-grant.js';
import type { PrivateJwks } from './signing-keys.js';

/** Keycloak's OIDC endpoints, relative to the realm (`/realms/custos`). */
export const OIDC_PATH = '/protocol/openid-connect';
export const USERINFO_SUBPATH = `${OIDC_PATH}/userinfo`;
export const INTROSPECTION_SUBPATH = `${OIDC_PATH}/token/introspect`;

/**
 * The only scope a client may ask for, as in the Keycloak realm, whose clients carry no `profile`,
 * `email` or `offline_access` client scope (claims come from the clients' own protocol mappers).
 */
const SCOPES = ['openid'];

export interface ProviderSettings {
  issuer: string;
  realmPath: string;
  apiAudience: string;
  accessTokenTtlSeconds: number;
  jwks: PrivateJwks;
  store: MemoryStore;
  serviceClientSecret: string;
  webRedirectUris: string[];
  enablePasswordGrant: boolean;
}

function clients(settings: ProviderSettings): ClientMetadata[] {
  const webOrigins = [...new Set(settings.webRedirectUris.map((uri) => new URL(uri).origin))];
  const list: ClientMetadata[] = [
    {
      client_id: WEB_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: settings.webRedirectUris,
      post_logout_redirect_uris: webOrigins.map((origin) => `${origin}/`),
    },
    settings.enablePasswordGrant
      ? { client_id: CLI_CLIENT_ID, token_endpoint_auth_method: 'none', grant_types: [PASSWORD_GRANT] }
      : // Direct access grants off: the client stays known, so the grant is refused as unsupported.
        { client_id: CLI_CLIENT_ID, token_endpoint_auth_method: 'none', grant_types: ['refresh_token'] },
    {
      client_id: SERVICE_CLIENT_ID,
      client_secret: settings.serviceClientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
    },
  ];
  return list.map((client) => ({ response_types: [], redirect_uris: [], ...client }));
}

function configuration(settings: ProviderSettings, resourceServer: ResourceServer): Configuration {
  const ttl = settings.accessTokenTtlSeconds;
  const { issuer, realmPath } = settings;
  return {
    adapter: settings.store.factory,
    jwks: settings.jwks as Configuration['jwks'],
    clients: clients(settings),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: { session: 'CUSTOS_SESSION', interaction: 'CUSTOS_INTERACTION', resume: 'CUSTOS_RESUME' },
    },
    scopes: SCOPES,
    responseTypes: ['code'],
    claims: { openid: ['sub', 'preferred_username'] },
    findAccount: (_ctx, sub) => {
      const user = findUserById(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, preferred_username: user.username }) };
    },
    pkce: { required: () => true },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    routes: {
      authorization: `${OIDC_PATH}/auth`,
      token: `${OIDC_PATH}/token`,
      jwks: `${OIDC_PATH}/certs`,
      userinfo: USERINFO_SUBPATH,
      end_session: `${OIDC_PATH}/logout`,
      introspection: INTROSPECTION_SUBPATH,
      revocation: `${OIDC_PATH}/revoke`,
      pushed_authorization_request: `${OIDC_PATH}/ext/par/request`,
    },
    // UserInfo and introspection are served beside the provider (see token-inspection.ts).
    discovery: {
      userinfo_endpoint: `${issuer}${USERINFO_SUBPATH}`,
      introspection_endpoint: `${issuer}${INTROSPECTION_SUBPATH}`,
    },
    interactions: { url: (_ctx, interaction) => `${realmPath}${INTERACTION_SUBPATH}${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: false },
      introspection: { enabled: false },
      dPoP: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of Custos?</h1>\n${form}\n<div class="actions">
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>
</div>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>You are signed out</h1>\n<p>You can close this page.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => settings.apiAudience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== settings.apiAudience) throw new errors.InvalidTarget();
          return resourceServer;
        },
      },
    },
    formats: {
      customizers: {
        // Keycloak's access-token shape: `typ: JWT` header, `azp`, `typ: Bearer` and the realm claims.
        jwt: (_ctx, token, jwt) => {
          jwt.header = { ...jwt.header, typ: 'JWT' };
          const { payload } = jwt;
          if (token.kind === 'ClientCredentials' && token.clientId === SERVICE_CLIENT_ID) {
            Object.assign(payload, serviceAccountClaims(), { sub: SERVICE_ACCOUNT_USERNAME });
          } else if (token.kind === 'AccessToken' && 'accountId' in token && token.accountId) {
            const user = findUserById(token.accountId);
            if (user) Object.assign(payload, userClaims(user));
          }
          payload.azp = token.clientId;
          payload.typ = 'Bearer';
          payload.scope ??= '';
        },
      },
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      IdToken: ttl,
      AuthorizationCode: 60,
      RefreshToken: 30 * 60,
      Interaction: 30 * 60,
      Session: 10 * 60 * 60,
      Grant: 10 * 60 * 60,
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      const detail = out.error_description ?? 'The request could not be completed.';
      ctx.body = errorPage('Sign-in error', `${out.error}: ${detail}`);
    },
  };
}

/** An oidc-provider instance configured as the Keycloak realm `custos`. */
export function createProvider(settings: ProviderSettings): Provider {
  const resourceServer: ResourceServer = {
    scope: SCOPES.join(' '),
    audience: settings.apiAudience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: settings.accessTokenTtlSeconds,
    jwt: { sign: { alg: 'RS256' } },
  };
  const provider = new Provider(settings.issuer, configuration(settings, resourceServer));
  // Behind the server in identity-provider.ts, which sets X-Forwarded-* from the public origin.
  provider.proxy = true;
  if (settings.enablePasswordGrant) {
    registerPasswordGrant(provider, {
      apiAudience: settings.apiAudience,
      resourceServer,
      supportedScopes: SCOPES,
    });
  }
  return provider;
}
