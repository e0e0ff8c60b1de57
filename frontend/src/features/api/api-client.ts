/**
 * The backend-for-frontend's way to the API: server-side only, with the signed-in user's token
 * from the encrypted session cookie. The browser never talks to the API and never sees a token.
 */
import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getLocale } from 'next-intl/server';
import { cache } from 'react';
import { env } from '@/env';
import { liveSession, SESSION_COOKIE, type Session } from '@/features/auth/session';

/** An RFC 9457 problem document from the API. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  errors?: Array<{ path?: string; message?: string; code?: string }>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code ?? problem.title ?? ''}`);
    this.name = 'ApiError';
  }
  get status() {
    return this.problem.status;
  }
}

export class NotSignedIn extends Error {}

/**
 * The signed-in user's session, if it is still live (not idle, not past its maximum age). Decrypted
 * once per server render (React's cache): the header and every API call of a page share it.
 */
export const currentSession = cache(
  async (): Promise<Session | undefined> => liveSession((await cookies()).get(SESSION_COOKIE)?.value),
);

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
}

export function apiUrl(path: string, query?: ApiRequest['query']): URL {
  const url = new URL(`${env().WEB_API_URL.replace(/\/$/, '')}${path}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  return url;
}

/** Calls the API as the signed-in user; the raw response (for streaming). */
export async function apiResponse(path: string, request: ApiRequest = {}): Promise<Response> {
  const session = await currentSession();
  if (!session) throw new NotSignedIn();
  const headers: Record<string, string> = {
    authorization: `Bearer ${session.accessToken}`,
    accept: 'application/json, application/problem+json',
    ...request.headers,
  };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(apiUrl(path, request.query), {
    method: request.method ?? 'GET',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    cache: 'no-store',
  });
}

export async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as Problem;
    return { ...parsed, status: response.status };
  } catch {
    return { status: response.status };
  }
}

/**
 * The API refused the token (revoked, or the provider's keys changed): the session is over, so the
 * page sends the user to sign in again (through a route that can delete the cookie) rather than fail.
 */
async function failed(response: Response): Promise<never> {
  if (response.status === 401) redirect(`/api/auth/expired?locale=${await getLocale()}`);
  throw new ApiError(await problemOf(response));
}

/** For pages: no live session means signing in again (through the route that ends it). */
async function signedInResponse(path: string, request: ApiRequest = {}): Promise<Response> {
  try {
    return await apiResponse(path, request);
  } catch (error) {
    if (error instanceof NotSignedIn) redirect(`/api/auth/expired?locale=${await getLocale()}`);
    throw error;
  }
}

/** Calls the API as the signed-in user; the JSON body, or an ApiError carrying the problem. */
export async function api<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const response = await signedInResponse(path, request);
  if (!response.ok) return failed(response);
  return (await response.json()) as T;
}

/** Like `api`, with the ETag the API sent (needed as If-Match to change the resource). */
export async function apiWithEtag<T>(path: string): Promise<{ body: T; etag: string | null }> {
  const response = await signedInResponse(path);
  if (!response.ok) return failed(response);
  return { body: (await response.json()) as T, etag: response.headers.get('etag') };
}
