/**
 * What a requester typed, kept across a refusal: the form comes back filled in rather than empty,
 * and none of it goes into an address (it is personal data). It lives ten minutes in an encrypted,
 * httpOnly cookie scoped to the tenant's portal page. A draft too large for a cookie keeps all but
 * the free text, and says so.
 */
import 'server-only';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { cookies } from 'next/headers';
import type { FilingForm } from './filing-input';
import { seal, unseal } from './sealed';

const COOKIE = 'custos_dsr_draft';
const AUDIENCE = 'portal-draft';
const TTL_SECONDS = 600;
/** Browsers keep cookies of up to 4096 bytes, name and attributes included. */
const MAX_VALUE = 3600;

export type Draft = Omit<FilingForm, 'locale' | 'timeZone'> & { detailsDropped?: boolean };

const pack = (draft: Draft) => deflateRawSync(Buffer.from(JSON.stringify(draft))).toString('base64url');

const cookieOptions = (path: string) => ({
  httpOnly: true,
  secure: true,
  sameSite: 'lax' as const,
  path,
  maxAge: TTL_SECONDS,
});

export async function keepDraft(path: string, draft: Draft): Promise<void> {
  let value = await seal({ d: pack(draft) }, AUDIENCE, TTL_SECONDS);
  if (value.length > MAX_VALUE) {
    value = await seal({ d: pack({ ...draft, details: '', detailsDropped: true }) }, AUDIENCE, TTL_SECONDS);
  }
  if (value.length <= MAX_VALUE) (await cookies()).set(COOKIE, value, cookieOptions(path));
}

export async function dropDraft(path: string): Promise<void> {
  (await cookies()).set(COOKIE, '', { ...cookieOptions(path), maxAge: 0 });
}

export async function readDraft(): Promise<Draft | undefined> {
  const sealed = await unseal<{ d: string }>((await cookies()).get(COOKIE)?.value, AUDIENCE);
  if (typeof sealed?.d !== 'string') return undefined;
  try {
    return JSON.parse(inflateRawSync(Buffer.from(sealed.d, 'base64url')).toString('utf8')) as Draft;
  } catch {
    return undefined;
  }
}
