/**
 * The browser session: one httpOnly, Secure, SameSite=Lax cookie holding the tokens encrypted
 * (JWE, A256GCM) under a key derived from WEB_SESSION_SECRET. Browser JavaScript can neither read
 * nor use the tokens, and any number of web instances sharing the secret can serve the session.
 * Only the access and refresh tokens are kept (no ID token), so the cookie stays under browsers'
 * 4 kB limit with Keycloak's larger tokens too. Sessions end after WEB_SESSION_IDLE_MINUTES
 * without a request (HIPAA automatic logoff) and after WEB_SESSION_MAX_HOURS in any case: the
 * proxy checks both, and so does every read of the session (`liveSession`).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { env } from '@/env';

export const SESSION_COOKIE = 'custos_session';
export const LOGIN_COOKIE = 'custos_login';

export interface Session {
  accessToken: string;
  /** Epoch seconds. */
  accessTokenExpiresAt: number;
  refreshToken: string | null;
  /** Epoch seconds. */
  signedInAt: number;
  lastSeenAt: number;
}

/** What the sign-in flow keeps between the redirect to the provider and the callback. */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  returnTo: string;
}

const key = () => createHash('sha256').update(env().WEB_SESSION_SECRET).digest();

async function seal(payload: Record<string, unknown>, audience: string, ttlSeconds: number): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(key());
}

async function unseal<T>(value: string | undefined, audience: string): Promise<T | undefined> {
  if (!value) return undefined;
  try {
    const { payload } = await jwtDecrypt(value, key(), { audience });
    return payload as T;
  } catch {
    // Tampered, expired or sealed under another secret: treated as no session.
    return undefined;
  }
}

/** Seconds the session may still live: the cookie and the JWE expire then, whatever happens. */
export const remainingSeconds = (session: Session, now = nowSeconds()) =>
  Math.max(1, session.signedInAt + env().WEB_SESSION_MAX_HOURS * 3600 - now);

export const sealSession = (session: Session) => seal({ ...session }, 'session', remainingSeconds(session));
export const unsealSession = (value: string | undefined) => unseal<Session>(value, 'session');
export const sealPendingLogin = (login: PendingLogin) => seal({ ...login }, 'login', 600);
export const unsealPendingLogin = (value: string | undefined) => unseal<PendingLogin>(value, 'login');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Why a session can no longer be used, or undefined while it can. */
export function sessionEnd(session: Session, now = nowSeconds()): 'idle' | 'expired' | undefined {
  const { WEB_SESSION_IDLE_MINUTES, WEB_SESSION_MAX_HOURS } = env();
  if (now - session.signedInAt > WEB_SESSION_MAX_HOURS * 3600) return 'expired';
  if (now - session.lastSeenAt > WEB_SESSION_IDLE_MINUTES * 60) return 'idle';
  return undefined;
}

export function cookieOptions(maxAgeSeconds: number) {
  return {
    httpOnly: true,
    // Browsers accept Secure cookies from http://localhost, so development needs no exception.
    secure: true,
    sameSite: 'lax' as const,
    path: '/',
    maxAge: maxAgeSeconds,
  };
}

export const sessionCookieOptions = (session: Session) => cookieOptions(remainingSeconds(session));

/** The session, if the cookie holds one that has neither idled out nor reached its maximum age. */
export async function liveSession(value: string | undefined): Promise<Session | undefined> {
  const session = await unsealSession(value);
  return session && !sessionEnd(session) ? session : undefined;
}
