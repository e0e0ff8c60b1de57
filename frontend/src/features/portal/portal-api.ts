/**
 * The public portal's way to the API: server-side only and without a session (anyone may file a
 * request). A requester proves they may see a request with the access token that verification
 * gave them, sent as `X-Request-Token`; it never reaches browser JavaScript.
 */
import 'server-only';
import { apiUrl, type Problem, problemOf } from '@/features/api/api-client';
import type { PortalInfo, PortalStatus } from '@/features/api/types';

/** A request's reference as printed (upper case); `canonicalReference` accepts it typed in lower case. */
export const REFERENCE_PATTERN = /^DSR-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
export const canonicalReference = (value: string): string | undefined => {
  const upper = value.toUpperCase();
  return REFERENCE_PATTERN.test(upper) ? upper : undefined;
};
/** Tenant slugs as the API takes them. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export interface PublicRequest {
  method?: 'GET' | 'POST';
  body?: unknown;
  token?: string;
}

export async function publicApiResponse(path: string, request: PublicRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token) headers['x-request-token'] = request.token;
  return fetch(apiUrl(path), {
    method: request.method ?? 'GET',
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    cache: 'no-store',
  });
}

/** The JSON answer, or the problem the API gave; network failures come back as a 502 problem. */
export async function publicApi<T>(
  path: string,
  request: PublicRequest = {},
): Promise<
  { ok: true; value: T; response: Response } | { ok: false; problem: Problem; response?: Response }
> {
  let response: Response;
  try {
    response = await publicApiResponse(path, request);
  } catch {
    return { ok: false, problem: { status: 502, code: 'api_unavailable' } };
  }
  if (!response.ok) return { ok: false, problem: await problemOf(response), response };
  const text = await response.text();
  return { ok: true, value: (text ? JSON.parse(text) : undefined) as T, response };
}

/** What the tenant's portal offers; undefined for a tenant that does not exist. */
export async function portalInfo(slug: string): Promise<PortalInfo | undefined> {
  if (!SLUG_PATTERN.test(slug)) return undefined;
  const answer = await publicApi<PortalInfo>(`/v1/privacy/portal/${slug}`);
  if (answer.ok) return answer.value;
  if (answer.problem.status === 404 || answer.problem.status === 400) return undefined;
  throw new Error(`portal information: HTTP ${answer.problem.status}`);
}

/** The request's status for its requester, or undefined when the token does not open it. */
export async function portalStatus(reference: string, token: string): Promise<PortalStatus | undefined> {
  const answer = await publicApi<PortalStatus>(`/v1/privacy/portal/requests/${reference}`, { token });
  if (answer.ok) return answer.value;
  // 404 is the API's one answer for an unknown reference and a wrong token (no enumeration).
  if (answer.problem.status === 404) return undefined;
  throw new Error(`request status: HTTP ${answer.problem.status}`);
}
