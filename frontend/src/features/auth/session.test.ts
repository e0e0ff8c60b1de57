// @vitest-environment node
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from './session';

const secret = 'test-secret-0123456789-abcdefghijklmnop';
const otherSecret = 'another-secret-0123456789-abcdefghijklm';

/** session.ts reads its settings once (env() caches them): a fresh module for each environment. */
async function loadSession(sessionSecret = secret) {
  vi.resetModules();
  vi.stubEnv('NODE_ENV', 'test');
  vi.stubEnv('WEB_SESSION_SECRET', sessionSecret);
  vi.stubEnv('WEB_SESSION_IDLE_MINUTES', '15');
  vi.stubEnv('WEB_SESSION_MAX_HOURS', '10');
  return import('./session');
}

// Recent: a sealed session expires at its maximum age, counted from sign-in.
const signedInAt = Math.floor(Date.now() / 1000) - 60;
const session: Session = {
  accessToken: 'access-token-in-clear-ABC123',
  accessTokenExpiresAt: signedInAt + 300,
  refreshToken: 'refresh-token-XYZ789',
  signedInAt,
  lastSeenAt: signedInAt,
};

let mod: Awaited<ReturnType<typeof loadSession>>;

beforeEach(async () => {
  mod = await loadSession();
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('sealSession and unsealSession', () => {
  it('round-trip a session', async () => {
    const sealed = await mod.sealSession(session);
    expect(await mod.unsealSession(sealed)).toMatchObject(session);
  });

  it('do not show the tokens in clear', async () => {
    const sealed = await mod.sealSession(session);
    expect(sealed).not.toContain(session.accessToken);
    expect(sealed).not.toContain(session.refreshToken);
    // Not merely base64url either: the payload is encrypted.
    const decoded = sealed
      .split('.')
      .map((part) => Buffer.from(part, 'base64url').toString('latin1'))
      .join('\n');
    expect(decoded).not.toContain(session.accessToken);
    expect(decoded).not.toContain(session.refreshToken);
  });

  it('give no session for a missing or empty cookie', async () => {
    expect(await mod.unsealSession(undefined)).toBeUndefined();
    expect(await mod.unsealSession('')).toBeUndefined();
    expect(await mod.unsealSession('not-a-jwe')).toBeUndefined();
  });

  it('give no session for a tampered value', async () => {
    const sealed = await mod.sealSession(session);
    const parts = sealed.split('.');
    expect(parts).toHaveLength(5);
    // Flip one bit in the ciphertext (4th part) and, separately, in the authentication tag.
    for (const index of [3, 4]) {
      const bytes = Buffer.from(parts[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      const tampered = parts.map((part, i) => (i === index ? bytes.toString('base64url') : part)).join('.');
      expect(tampered).not.toBe(sealed);
      expect(await mod.unsealSession(tampered)).toBeUndefined();
    }
  });

  it('give no session for a value sealed under another secret', async () => {
    const other = await loadSession(otherSecret);
    const sealedElsewhere = await other.sealSession(session);
    expect(await other.unsealSession(sealedElsewhere)).toMatchObject(session);
    const here = await loadSession(secret);
    expect(await here.unsealSession(sealedElsewhere)).toBeUndefined();
  });

  it('do not accept a pending sign-in as a session, nor a session as a pending sign-in', async () => {
    const pending = { state: 'state-1', codeVerifier: 'verifier-1', returnTo: '/en/devices' };
    const sealedLogin = await mod.sealPendingLogin(pending);
    expect(await mod.unsealPendingLogin(sealedLogin)).toMatchObject(pending);
    expect(await mod.unsealSession(sealedLogin)).toBeUndefined();
    expect(await mod.unsealPendingLogin(await mod.sealSession(session))).toBeUndefined();
  });
});

describe('sessionEnd', () => {
  const idle = 15 * 60;
  const max = 10 * 3600;

  it('lets a session in use continue', () => {
    expect(mod.sessionEnd(session, signedInAt)).toBeUndefined();
    expect(mod.sessionEnd(session, signedInAt + idle)).toBeUndefined();
    const recent = { ...session, lastSeenAt: signedInAt + max - 60 };
    expect(mod.sessionEnd(recent, signedInAt + max)).toBeUndefined();
  });

  it('ends a session after WEB_SESSION_IDLE_MINUTES without activity', () => {
    expect(mod.sessionEnd(session, signedInAt + idle + 1)).toBe('idle');
    const later = { ...session, lastSeenAt: signedInAt + 3600 };
    expect(mod.sessionEnd(later, signedInAt + 3600 + idle)).toBeUndefined();
    expect(mod.sessionEnd(later, signedInAt + 3600 + idle + 1)).toBe('idle');
  });

  it('ends a session after WEB_SESSION_MAX_HOURS whatever the activity', () => {
    const active = { ...session, lastSeenAt: signedInAt + max };
    expect(mod.sessionEnd(active, signedInAt + max + 1)).toBe('expired');
    // Both limits passed: the absolute one is reported.
    expect(mod.sessionEnd(session, signedInAt + max + 1)).toBe('expired');
  });

  it('follows the configured limits', async () => {
    vi.stubEnv('WEB_SESSION_IDLE_MINUTES', '1');
    vi.stubEnv('WEB_SESSION_MAX_HOURS', '1');
    vi.resetModules();
    const short = await import('./session');
    expect(short.sessionEnd(session, signedInAt + 60)).toBeUndefined();
    expect(short.sessionEnd(session, signedInAt + 61)).toBe('idle');
    expect(short.sessionEnd({ ...session, lastSeenAt: signedInAt + 3600 }, signedInAt + 3601)).toBe(
      'expired',
    );
  });
});

describe('liveSession and the sealed lifetime', () => {
  it('gives the session while it is live, and nothing once it idled out or reached its maximum age', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await mod.liveSession(await mod.sealSession({ ...session, lastSeenAt: now }))).toMatchObject({
      accessToken: session.accessToken,
    });
    const idle = await mod.sealSession({ ...session, lastSeenAt: now - 16 * 60 });
    expect(await mod.unsealSession(idle)).toBeDefined();
    expect(await mod.liveSession(idle)).toBeUndefined();
    const old = await mod.sealSession({ ...session, signedInAt: now - 11 * 3600, lastSeenAt: now });
    expect(await mod.liveSession(old)).toBeUndefined();
  });

  it('seals a session only until its maximum age, and the cookie lives as long', async () => {
    const now = Math.floor(Date.now() / 1000);
    const remaining = mod.remainingSeconds(session, now);
    expect(remaining).toBe(signedInAt + 10 * 3600 - now);
    expect(mod.sessionCookieOptions(session).maxAge).toBe(mod.remainingSeconds(session));
    const sealed = await mod.sealSession(session);
    // The JWE's expiry is inside its protected, authenticated payload: decrypt and read it.
    const { jwtDecrypt } = await import('jose');
    const { createHash } = await import('node:crypto');
    const key = createHash('sha256')
      .update(process.env.WEB_SESSION_SECRET ?? '')
      .digest();
    const { payload } = await jwtDecrypt(sealed, key, { audience: 'session' });
    expect(Math.abs((payload.exp ?? 0) - (signedInAt + 10 * 3600))).toBeLessThanOrEqual(2);
  });
});
