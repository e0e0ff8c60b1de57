import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REALM } from './accounts.js';
import { createProvider, INTROSPECTION_SUBPATH, OIDC_PATH, USERINFO_SUBPATH } from './create-provider.js';
import { sendJson } from './http-util.js';
import { handleInteraction, INTERACTION_SUBPATH } from './interactions.js';
import { createMemoryStore } from './memory-adapter.js';
import { loadSigningKeys } from './signing-keys.js';
import { handleIntrospection, handleUserinfo, type TokenInspectionOptions } from './token-inspection.js';

export { fetchPasswordToken } from './password-token.js';

/**
 * The development identity provider: oidc-provider shaped like the Keycloak realm `custos`
 * (same paths under `/realms/custos`, same RS256 JWT access-token claims), seeded with the demo
 * users. In production, Keycloak takes its place and only the issuer URL changes.
 */
export interface IdentityProviderOptions {
  /** 0 = pick a free port. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default `http://localhost:${actualPort}`; issuer = `${publicOrigin}/realms/custos`. */
  publicOrigin?: string;
  /** Default 'urn:custos:api'. */
  apiAudience?: string;
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** If set, the private signing JWKS is kept here (created 0600 when absent) so tokens survive restarts. */
  keysFile?: string;
  /** Secret of the confidential client 'custos-service'; default 'custos-service-dev-secret'. */
  serviceClientSecret?: string;
  /** Default ['http://localhost:3000/api/auth/callback']. */
  webRedirectUris?: string[];
  /** Keycloak's direct access grants for 'custos-cli'; default true (development only). */
  enablePasswordGrant?: boolean;
}

export interface RunningIdentityProvider {
  /** e.g. http://localhost:4001/realms/custos */
  issuer: string;
  /** `${issuer}/protocol/openid-connect/certs` */
  jwksUri: string;
  /** `${issuer}/protocol/openid-connect/token` */
  tokenEndpoint: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULT_SERVICE_SECRET = 'custos-service-dev-secret';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startIdentityProvider(
  options: IdentityProviderOptions,
): Promise<RunningIdentityProvider> {
  const keys = await loadSigningKeys(options.keysFile);
  const server = createServer({ keepAliveTimeout: 5_000 });
  const port = await listen(server, options.port, options.host ?? '127.0.0.1');

  const publicOrigin = new URL(options.publicOrigin ?? `http://localhost:${port}`);
  const issuer = `${publicOrigin.origin}${publicOrigin.pathname.replace(/\/+$/, '')}/realms/${REALM}`;
  const realmPath = new URL(issuer).pathname;
  const apiAudience = options.apiAudience ?? 'urn:custos:api';
  const store = createMemoryStore();
  const inspection: TokenInspectionOptions = {
    issuer,
    apiAudience,
    publicKey: keys.publicKey,
    serviceClientSecret: options.serviceClientSecret ?? DEFAULT_SERVICE_SECRET,
  };

  const provider = createProvider({
    issuer,
    realmPath,
    apiAudience,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    jwks: keys.jwks,
    store,
    serviceClientSecret: inspection.serviceClientSecret,
    webRedirectUris: options.webRedirectUris ?? ['http://localhost:3000/api/auth/callback'],
    enablePasswordGrant: options.enablePasswordGrant ?? true,
  });
  const providerCallback = provider.callback();
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://internal');
    if (url.pathname !== realmPath && !url.pathname.startsWith(`${realmPath}/`)) {
      req.resume();
      sendJson(res, 404, { error: 'Realm does not exist' });
      return;
    }
    // Every URL the provider builds (discovery, redirects) uses the public origin, whatever
    // Host the request came with; the provider trusts these headers (provider.proxy = true).
    for (const header of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port']) {
      delete req.headers[header];
    }
    req.headers.host = publicOrigin.host;
    req.headers['x-forwarded-host'] = publicOrigin.host;
    req.headers['x-forwarded-proto'] = publicOrigin.protocol.slice(0, -1);

    const subpath = url.pathname.slice(realmPath.length);
    if (subpath === '' || subpath === '/') {
      // Keycloak's realm description, read by some adapters.
      req.resume();
      sendJson(res, 200, {
        realm: REALM,
        public_key: publicKeyPem,
        'token-service': `${issuer}${OIDC_PATH}`,
        'account-service': `${issuer}/account`,
        'tokens-not-before': 0,
      });
      return;
    }
    if (subpath.startsWith(INTERACTION_SUBPATH)) {
      await handleInteraction(provider, req, res, realmPath, subpath.slice(INTERACTION_SUBPATH.length));
      return;
    }
    if (subpath === USERINFO_SUBPATH) {
      await handleUserinfo(req, res, inspection);
      return;
    }
    if (subpath === INTROSPECTION_SUBPATH) {
      await handleIntrospection(req, res, inspection);
      return;
    }
    // oidc-provider expects the issuer's path prefix to be stripped, Express-style.
    const mutable = req as IncomingMessage & { originalUrl?: string };
    mutable.originalUrl = req.url;
    req.url = (req.url ?? '/').slice(realmPath.length) || '/';
    await providerCallback(req, res);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    issuer,
    jwksUri: `${issuer}${OIDC_PATH}/certs`,
    tokenEndpoint: `${issuer}${OIDC_PATH}/token`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }).finally(() => store.clear());
      return closing;
    },
  };
}
