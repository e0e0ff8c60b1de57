'use server';
/**
 * Proving the requester owns the address they gave: the 6-digit code from the mail is exchanged
 * for the request's access token, which goes into the request's own encrypted cookie (never into
 * the page or an address). Also sends a new code on request. Server actions: Next.js checks the Origin.
 */
import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { problemOf } from '@/features/api/api-client';
import { knownTimeZone } from './filing-input';
import { formLocale, formText } from './form-data';
import { publicApiResponse, REFERENCE_PATTERN } from './portal-api';
import { accessCookieName, accessCookieOptions, sealAccess } from './request-access';

/** Six digits; spaces and hyphens people type between groups are ignored. */
const normaliseCode = (code: string) => code.replace(/[\s-]/g, '');
const CODE = /^\d{6}$/;

function target(form: FormData) {
  const reference = formText(form, 'reference');
  if (!REFERENCE_PATTERN.test(reference)) notFound();
  return { reference, page: `/${formLocale(form)}/portal/requests/${reference}` };
}

/** The query a refused step comes back with; Retry-After is passed on so the page can say when. */
async function refusal(response: Response): Promise<string> {
  const problem = (await problemOf(response)) as Awaited<ReturnType<typeof problemOf>> &
    Record<string, unknown>;
  const query = new URLSearchParams({ error: problem.code ?? 'failed' });
  const retry = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  if (retry > 0) query.set('retry', String(retry));
  const left = problem.attemptsLeft ?? problem.remainingAttempts;
  if (typeof left === 'number' && left >= 0) query.set('left', String(left));
  return query.toString();
}

export async function verifyCode(form: FormData): Promise<void> {
  const { reference, page } = target(form);
  const code = normaliseCode(formText(form, 'code'));
  if (!CODE.test(code)) redirect(`${page}/verify?error=code_format#verify-error`);
  let response: Response;
  try {
    response = await publicApiResponse(`/v1/privacy/portal/requests/${reference}/verification`, {
      method: 'POST',
      body: { code },
    });
  } catch {
    redirect(`${page}/verify?error=api_unavailable#verify-error`);
  }
  if (!response.ok) redirect(`${page}/verify?${await refusal(response)}#verify-error`);
  const { accessToken } = (await response.json()) as { accessToken?: string };
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    redirect(`${page}/verify?error=failed#verify-error`);
  }
  const timeZone = knownTimeZone(formText(form, 'timeZone'));
  (await cookies()).set(
    accessCookieName(reference),
    await sealAccess(reference, accessToken, timeZone),
    accessCookieOptions(),
  );
  redirect(`${page}?verified=1`);
}

export async function resendCode(form: FormData): Promise<void> {
  const { reference, page } = target(form);
  let response: Response;
  try {
    response = await publicApiResponse(`/v1/privacy/portal/requests/${reference}/code`, { method: 'POST' });
  } catch {
    redirect(`${page}/verify?error=api_unavailable#verify-error`);
  }
  if (!response.ok) redirect(`${page}/verify?${await refusal(response)}#verify-error`);
  redirect(`${page}/verify?sent=1#verify-sent`);
}
