import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoUserByName } from '../launcher/demo-data.js';
import {
  fetchPasswordToken,
  type RunningIdentityProvider,
  startIdentityProvider,
} from './identity-provider.js';

const API = 'urn:custos:api';
const REDIRECT_URI = 'http://localhost:3000/api/auth/callback';

async function verify(idp: RunningIdentityProvider, token: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(idp.jwksUri));
  const { payload } = await jwtVerify(token, jwks, { issuer: idp.issuer, audience: API });
  return payload;
}

function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Just enough of a browser for the code flow: keeps cookies (by name) and follows redirects by hand. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects until one leaves `origin` (returned unfollowed) or a page answers. */
  async follow(response: Response, origin: string): Promise<Response> {
    let current = response;
    for (let hops = 0; hops < 10 && current.status >= 300 && current.status < 400; hops += 1) {
      const location = new URL(current.headers.get('location') ?? '', current.url || origin);
      if (location.origin !== origin) return current;
      await current.arrayBuffer();
      current = await this.request(location.href);
    }
    return current;
  }
}

describe('development identity provider', () => {
  let idp: RunningIdentityProvider;

  beforeAll(async () => {
    idp = await startIdentityProvider({ port: 0 });
  });
  afterAll(async () => {
    await idp?.close();
  });

  it('publishes a Keycloak-shaped discovery document', async () => {
    expect(idp.issuer).toBe(`http://localhost:${idp.port}/realms/custos`);
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    const oidc = `${idp.issuer}/protocol/openid-connect`;
    expect(doc).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${oidc}/auth`,
      token_endpoint: `${oidc}/token`,
      jwks_uri: `${oidc}/certs`,
      userinfo_endpoint: `${oidc}/userinfo`,
      end_session_endpoint: `${oidc}/logout`,
      introspection_endpoint: `${oidc}/token/introspect`,
      revocation_endpoint: `${oidc}/revoke`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'password', 'refresh_token']),
    );
    expect(idp.jwksUri).toBe(`${oidc}/certs`);
    expect(idp.tokenEndpoint).toBe(`${oidc}/token`);
  });

  it('answers 404 outside the realm', async () => {
    for (const path of ['/', '/realms/other/.well-known/openid-configuration', '/realms/custos/nope']) {
      const response = await fetch(`http://localhost:${idp.port}${path}`);
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
  });

  it('issues an RS256 access token for a demo user through the password grant', async () => {
    const token = await fetchPasswordToken(idp.tokenEndpoint, 'operator');
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toEqual(expect.any(String));

    const claims = await verify(idp, token);
    const operator = demoUserByName('operator');
    expect(claims).toMatchObject({
      iss: idp.issuer,
      sub: operator?.id,
      azp: 'custos-cli',
      client_id: 'custos-cli',
      preferred_username: 'operator',
      realm_access: { roles: ['operator'] },
      tenant_id: operator?.tenantId,
      site_ids: operator?.siteIds,
      scope: 'openid',
    });
    expect(claims.jti).toEqual(expect.any(String));
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
    expect(Object.keys(claims)).not.toEqual(expect.arrayContaining(['email']));
    expect(JSON.stringify(claims)).not.toContain(DEMO_PASSWORD);
  });

  it('leaves tenant_id out for the platform admin', async () => {
    const claims = await verify(idp, await fetchPasswordToken(idp.tokenEndpoint, 'admin'));
    expect(claims).not.toHaveProperty('tenant_id');
    expect(claims).toMatchObject({ realm_access: { roles: ['platform-admin'] }, site_ids: [] });
  });

  it('refuses a wrong password and an unknown user with invalid_grant, without echoing the password', async () => {
    for (const [username, password] of [
      ['operator', 'not-the-password'],
      ['nobody', DEMO_PASSWORD],
    ] as const) {
      const response = await postForm(idp.tokenEndpoint, {
        grant_type: 'password',
        client_id: 'custos-cli',
        username,
        password,
      });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid user credentials',
      });
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/\bat .+:\d+:\d+/);
    }
    await expect(fetchPasswordToken(idp.tokenEndpoint, 'operator', 'wrong')).rejects.toThrow(/invalid_grant/);
  });

  it('issues service tokens by client credentials with the right secret only', async () => {
    const ok = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'client_credentials' },
      { authorization: basic('custos-service', 'custos-service-dev-secret') },
    );
    expect(ok.status).toBe(200);
    const { access_token } = (await ok.json()) as { access_token: string };
    const claims = await verify(idp, access_token);
    expect(claims).toMatchObject({
      sub: 'service-account-custos-service',
      azp: 'custos-service',
      preferred_username: 'service-account-custos-service',
      realm_access: { roles: ['service'] },
    });
    expect(claims).not.toHaveProperty('tenant_id');

    const viaBody = await postForm(idp.tokenEndpoint, {
      grant_type: 'client_credentials',
      client_id: 'custos-service',
      client_secret: 'custos-service-dev-secret',
    });
    expect(viaBody.status).toBe(200);
    await viaBody.arrayBuffer();

    const wrong = await postForm(
      idp.tokenEndpoint,
      { grant_type: 'client_credentials' },
      { authorization: basic('custos-service', 'wrong-secret') },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('runs the authorization code flow with PKCE through the sign-in form', async () => {
    const browser = new Browser();
    const origin = `http://localhost:${idp.port}`;
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(8).toString('hex');
    const authorize = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    authorize.search = new URLSearchParams({
      client_id: 'custos-web',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();

    const loginPage = await browser.follow(await browser.request(authorize.href), origin);
    expect(loginPage.status).toBe(200);
    const html = await loginPage.text();
    expect(html).toContain('<label for="username">');
    expect(html).toContain('<label for="password">');
    expect(html).not.toContain(DEMO_PASSWORD);
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(action).toMatch(/^\/realms\/custos\/login-actions\/authenticate\//);

    const failed = await browser.request(`${origin}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'clinician', password: 'wrong' }),
    });
    expect(failed.status).toBe(401);
    expect(await failed.text()).toContain('role="alert"');

    const submitted = await browser.request(`${origin}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'clinician', password: DEMO_PASSWORD }),
    });
    const callback = await browser.follow(submitted, origin);
    expect(callback.status).toBe(303);
    const redirect = new URL(callback.headers.get('location') ?? '');
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('state')).toBe(state);
    const code = redirect.searchParams.get('code') ?? '';

    const withoutVerifier = await postForm(idp.tokenEndpoint, {
      grant_type: 'authorization_code',
      client_id: 'custos-web',
      code,
      redirect_uri: REDIRECT_URI,
    });
    expect(withoutVerifier.status).toBe(400);
    await withoutVerifier.arrayBuffer();

    const exchange = await postForm(idp.tokenEndpoint, {
      grant_type: 'authorization_code',
      client_id: 'custos-web',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(exchange.status).toBe(200);
    const tokens = (await exchange.json()) as {
      access_token: string;
      id_token?: string;
      refresh_token?: string;
    };
    const clinician = demoUserByName('clinician');
    expect(await verify(idp, tokens.access_token)).toMatchObject({
      sub: clinician?.id,
      azp: 'custos-web',
      realm_access: { roles: ['clinician'] },
      tenant_id: clinician?.tenantId,
      site_ids: clinician?.siteIds,
    });
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('answers UserInfo and introspection for its access tokens', async () => {
    const token = await fetchPasswordToken(idp.tokenEndpoint, 'auditor');
    const userinfo = await fetch(`${idp.issuer}/protocol/openid-connect/userinfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await userinfo.json()).toEqual({
      sub: demoUserByName('auditor')?.id,
      preferred_username: 'auditor',
    });

    const introspect = `${idp.issuer}/protocol/openid-connect/token/introspect`;
    const service = { authorization: basic('custos-service', 'custos-service-dev-secret') };
    const active = await postForm(introspect, { token }, service);
    expect(await active.json()).toMatchObject({ active: true, realm_access: { roles: ['auditor'] } });
    const inactive = await postForm(introspect, { token: `${token.slice(0, -4)}AAAA` }, service);
    expect(await inactive.json()).toEqual({ active: false });
    const anonymous = await postForm(introspect, { token });
    expect(anonymous.status).toBe(401);
    await anonymous.arrayBuffer();
  });
});

describe('development identity provider options', () => {
  it('refuses the password grant when it is disabled', async () => {
    const idp = await startIdentityProvider({ port: 0, enablePasswordGrant: false });
    try {
      const response = await postForm(idp.tokenEndpoint, {
        grant_type: 'password',
        client_id: 'custos-cli',
        username: 'operator',
        password: DEMO_PASSWORD,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string };
      expect(['unsupported_grant_type', 'unauthorized_client']).toContain(body.error);
    } finally {
      await idp.close();
    }
  });

  it('keeps its signing key in keysFile, so tokens survive a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custos-dev-idp-'));
    const keysFile = join(dir, 'nested', 'jwks.json');
    try {
      const first = await startIdentityProvider({ port: 0, keysFile });
      const token = await fetchPasswordToken(first.tokenEndpoint, 'privacy');
      const { port } = first;
      await first.close();
      expect((await stat(keysFile)).mode & 0o777).toBe(0o600);

      const second = await startIdentityProvider({ port, keysFile });
      try {
        expect(second.issuer).toBe(first.issuer);
        expect(await verify(second, token)).toMatchObject({ preferred_username: 'privacy' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
