'use server';
/**
 * Files a request from the portal (a server action: Next.js checks the Origin). A visitor files
 * through the public API and is sent a code by mail; a signed-in data subject files through their
 * account and needs none. A refusal comes back as query parameters naming the fields at fault,
 * with what was typed kept in an encrypted cookie (never in the address).
 */
import { notFound, redirect } from 'next/navigation';
import { apiResponse, NotSignedIn, problemOf } from '@/features/api/api-client';
import type { PortalInfo } from '@/features/api/types';
import { dropDraft, keepDraft } from './draft';
import { type FilingForm, fieldsOfProblem, parseFiling } from './filing-input';
import { formLocale, formText, formTexts } from './form-data';
import { portalInfo, publicApiResponse, REFERENCE_PATTERN, SLUG_PATTERN } from './portal-api';
import { refusalQuery } from './refusal';

export async function fileRequest(form: FormData): Promise<void> {
  const locale = formLocale(form);
  const slug = formText(form, 'slug');
  if (!SLUG_PATTERN.test(slug)) notFound();
  const page = `/${locale}/portal/${slug}`;
  const signedIn = formText(form, 'mode') === 'signed-in';
  const typed: FilingForm = {
    type: formText(form, 'type'),
    email: formText(form, 'email'),
    jurisdiction: formText(form, 'jurisdiction'),
    locale,
    timeZone: formText(form, 'timeZone'),
    subjectReference: formText(form, 'subjectReference'),
    details: formText(form, 'details'),
    rectificationName: formText(form, 'rectificationName'),
    rectificationEmail: formText(form, 'rectificationEmail'),
    objectionPurposes: formTexts(form, 'objectionPurposes'),
  };
  const { locale: _l, timeZone: _z, ...draft } = typed;
  const info: PortalInfo | undefined = await portalInfo(slug);
  if (!info) notFound();
  const refuse = async (error: string, extra: Record<string, string> = {}): Promise<never> => {
    await keepDraft(page, draft);
    redirect(`${page}?${refusalQuery(typed.type, error, extra)}#filing-error`);
  };

  const input = parseFiling(typed, {
    emailRequired: !signedIn,
    purposes: info.objectionPurposes.map((purpose) => purpose.id),
  });
  if (!input.ok) return refuse(input.error, { fields: input.fields.join(',') });

  let response: Response;
  try {
    response = signedIn
      ? await apiResponse('/v1/privacy/requests', {
          method: 'POST',
          // The account is the proof of identity; the session carries no contact address to send
          // (only tokens), so the request's contact is the account. The slug lets the API refuse a
          // portal of another tenant than the account's.
          body: { ...input.body, email: undefined, tenantSlug: slug },
        })
      : await publicApiResponse(`/v1/privacy/portal/${slug}/requests`, { method: 'POST', body: input.body });
  } catch (error) {
    if (error instanceof NotSignedIn) return refuse('unauthenticated');
    return refuse('api_unavailable');
  }
  if (response.ok) {
    const { reference } = (await response.json()) as { reference?: string };
    await dropDraft(page);
    if (signedIn) redirect(`/${locale}/portal/mine?filed=${encodeURIComponent(reference ?? '')}`);
    if (!reference || !REFERENCE_PATTERN.test(reference)) return refuse('failed');
    redirect(`/${locale}/portal/requests/${reference}/verify?filed=1`);
  }
  const problem = await problemOf(response);
  if (response.status === 404) notFound();
  if (problem.code === 'validation_failed' || response.status === 400) {
    const fields = fieldsOfProblem(problem.errors);
    return refuse('invalid_fields', { fields: fields.join(',') });
  }
  const retry = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  return refuse(problem.code ?? 'failed', retry > 0 ? { retry: String(retry) } : {});
}
