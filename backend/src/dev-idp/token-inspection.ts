import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type JWTPayload, jwtVerify } from 'jose';
import { SERVICE_CLIENT_ID, secretsEqual } from './accounts.js';
import { BodyError, readForm, sendJson } from './http-util.js';

/**
 * UserInfo and token introspection for the realm's JWT access tokens. oidc-provider refuses both
 * for structured (JWT) access tokens, while Keycloak answers them; these two routes fill the gap
 * by verifying the token with the realm's own signing key.
 */
export interface TokenInspectionOptions {
  issuer: string;
  apiAudience: string;
  publicKey: KeyObject;
  serviceClientSecret: string;
}

async function verifyAccessToken(token: string, options: TokenInspectionOptions): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtVerify(token, options.publicKey, {
      issuer: options.issuer,
      audience: options.apiAudience,
      algorithms: ['RS256'],
    });
    return payload;
  } catch {
    return null;
  }
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** GET or POST `/protocol/openid-connect/userinfo` with `Authorization: Bearer <access token>`. */
export async function handleUserinfo(
  req: IncomingMessage,
  res: ServerResponse,
  options: TokenInspectionOptions,
): Promise<void> {
  req.resume();
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }
  const token = bearerToken(req);
  const payload = token ? await verifyAccessToken(token, options) : null;
  if (!payload?.sub) {
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: 'Token verification failed' },
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    );
    return;
  }
  sendJson(res, 200, { sub: payload.sub, preferred_username: payload.preferred_username });
}

function clientCredentials(req: IncomingMessage, form: URLSearchParams): { id?: string; secret?: string } {
  const basic = /^Basic\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(req.headers.authorization ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return {};
    try {
      return {
        id: decodeURIComponent(decoded.slice(0, colon)),
        secret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    } catch {
      return {};
    }
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

/**
 * POST `/protocol/openid-connect/token/introspect` (RFC 7662), for confidential clients only, as in
 * Keycloak. Active tokens are answered with their claims; anything else with `{ active: false }`.
 */
export async function handleIntrospection(
  req: IncomingMessage,
  res: ServerResponse,
  options: TokenInspectionOptions,
): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    res.writeHead(405, { allow: 'POST' }).end();
    return;
  }
  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch (error) {
    const status = error instanceof BodyError ? error.status : 400;
    sendJson(res, status, { error: 'invalid_request', error_description: 'Expected a form-encoded body' });
    return;
  }
  const { id, secret } = clientCredentials(req, form);
  if (id !== SERVICE_CLIENT_ID || !secret || !secretsEqual(secret, options.serviceClientSecret)) {
    sendJson(res, 401, {
      error: 'invalid_client',
      error_description: 'Invalid client or Invalid client credentials',
    });
    return;
  }
  const token = form.get('token');
  if (!token) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'Token not provided' });
    return;
  }
  const payload = await verifyAccessToken(token, options);
  if (!payload) {
    sendJson(res, 200, { active: false });
    return;
  }
  sendJson(res, 200, {
    ...payload,
    client_id: payload.client_id ?? payload.azp,
    username: payload.preferred_username,
    token_type: 'Bearer',
    active: true,
  });
}
