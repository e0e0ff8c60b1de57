/**
 * The requester's access to one request: the token verification gave them, kept in an httpOnly,
 * Secure, SameSite=Lax cookie of its own per request (`custos_dsr_<reference>`), encrypted and
 * bound to that reference. The status page and the result download read it; browser JavaScript
 * cannot. It lasts a day: after that, a new code by mail opens the request again.
 */
import 'server-only';
import { cookies } from 'next/headers';
import { REFERENCE_PATTERN } from './portal-api';
import { seal, unseal } from './sealed';

const AUDIENCE = 'portal-request';
export const ACCESS_TTL_SECONDS = 24 * 3600;

export const accessCookieName = (reference: string) => `custos_dsr_${reference}`;

interface Sealed {
  ref: string;
  tok: string;
  /** The requester's IANA time zone, if their browser told it: dates on the status page use it. */
  tz?: string;
}

export interface RequestAccess {
  token: string;
  timeZone?: string;
}

export async function sealAccess(reference: string, token: string, timeZone?: string) {
  return seal(
    { ref: reference, tok: token, ...(timeZone ? { tz: timeZone } : {}) },
    AUDIENCE,
    ACCESS_TTL_SECONDS,
  );
}

export const accessCookieOptions = () => ({
  httpOnly: true,
  // Browsers accept Secure cookies from http://localhost, so development needs no exception.
  secure: true,
  sameSite: 'lax' as const,
  path: '/',
  maxAge: ACCESS_TTL_SECONDS,
});

/** The access token for this request, from its cookie (only if sealed for this very reference). */
export async function requestAccess(reference: string): Promise<RequestAccess | undefined> {
  if (!REFERENCE_PATTERN.test(reference)) return undefined;
  const value = (await cookies()).get(accessCookieName(reference))?.value;
  const sealed = await unseal<Sealed>(value, AUDIENCE);
  if (!sealed || sealed.ref !== reference || typeof sealed.tok !== 'string') return undefined;
  return { token: sealed.tok, timeZone: typeof sealed.tz === 'string' ? sealed.tz : undefined };
}
