/** The verified-token cache never outlives the token, and never turns a bad token into a good one. */
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { tokenFor } from '../../../../tests/support/test-app.js';
import { loadConfig } from '../config/config.js';
import { TokenVerifier } from './token-verifier.js';

const verifier = () => {
  const env = inject('testEnv');
  return new TokenVerifier(
    loadConfig({ OIDC_ISSUER: env.issuer, OIDC_JWKS_URI: env.jwksUri, OIDC_CLOCK_TOLERANCE_SECONDS: '0' }),
  );
};

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenVerifier', () => {
  it('refuses a cached token once it has expired', async () => {
    const v = verifier();
    const token = await tokenFor('operator');
    const claims = await v.verify(token);
    expect(claims.preferred_username).toBe('operator');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((claims.exp + 1) * 1000);
    await expect(v.verify(token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('does not let a tampered copy of a cached token through', async () => {
    const v = verifier();
    const token = await tokenFor('clinician');
    await v.verify(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, realm_access: { roles: ['platform-admin'] } })).toString('base64url')}.${signature}`;
    await expect(v.verify(forged)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a token for another audience', async () => {
    const env = inject('testEnv');
    const v = new TokenVerifier(
      loadConfig({ OIDC_ISSUER: env.issuer, OIDC_JWKS_URI: env.jwksUri, OIDC_AUDIENCE: 'urn:other:api' }),
    );
    await expect(v.verify(await tokenFor('operator'))).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});
