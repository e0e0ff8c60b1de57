// @vitest-environment node
/**
 * Renewal with a single-use refresh token: requests that carry the same token share one call to
 * the provider (a second use would revoke the grant), each keeps its own idle clock, and a
 * refusal yields no session.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from './session';

const grant = vi.hoisted(() => vi.fn());
vi.mock('./oidc', () => ({ oidcConfiguration: async () => ({}), client: { refreshTokenGrant: grant } }));

const { needsRenewal, renew } = await import('./refresh');

const now = Math.floor(Date.now() / 1000);
const session = (refreshToken: string, lastSeenAt = now): Session => ({
  accessToken: 'old-access',
  accessTokenExpiresAt: now + 10,
  refreshToken,
  signedInAt: now - 600,
  lastSeenAt,
});

beforeEach(() => {
  grant.mockReset();
});

describe('renew', () => {
  it('asks the provider once for requests that carry the same refresh token', async () => {
    let release!: () => void;
    grant.mockImplementation(
      () =>
        new Promise((resolve) => {
          release = () =>
            resolve({ access_token: 'new-access', refresh_token: 'rotated', expiresIn: () => 300 });
        }),
    );
    const first = renew(session('token-a', now - 5));
    const second = renew(session('token-a', now - 20));
    await vi.waitFor(() => expect(grant).toHaveBeenCalledTimes(1));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(grant).toHaveBeenCalledTimes(1);
    expect(a).toMatchObject({ accessToken: 'new-access', refreshToken: 'rotated', lastSeenAt: now - 5 });
    expect(b).toMatchObject({ accessToken: 'new-access', refreshToken: 'rotated', lastSeenAt: now - 20 });
    expect(a?.accessTokenExpiresAt).toBeGreaterThanOrEqual(now + 299);
    // A late request with the spent token gets the same result, not a second use of the token.
    expect(await renew(session('token-a'))).toMatchObject({ accessToken: 'new-access' });
    expect(grant).toHaveBeenCalledTimes(1);
  });

  it('renews each refresh token on its own', async () => {
    grant.mockResolvedValue({ access_token: 'x', refresh_token: 'y', expiresIn: () => 300 });
    await renew(session('token-b'));
    await renew(session('token-c'));
    expect(grant).toHaveBeenCalledTimes(2);
  });

  it('gives no session when the provider refuses, or when there is no refresh token', async () => {
    grant.mockRejectedValue(new Error('invalid_grant'));
    expect(await renew(session('token-d'))).toBeUndefined();
    expect(await renew({ ...session('unused'), refreshToken: null })).toBeUndefined();
  });
});

describe('needsRenewal', () => {
  it('renews within 30 s of expiry, not before', () => {
    expect(needsRenewal({ ...session('t'), accessTokenExpiresAt: now + 29 }, now)).toBe(true);
    expect(needsRenewal({ ...session('t'), accessTokenExpiresAt: now + 31 }, now)).toBe(false);
  });
});
