'use server';
/**
 * Placing and releasing legal holds (server actions: Next.js checks the Origin). A release is
 * final and needs a reason; it is sent with the hold's version as If-Match, so a hold changed
 * meanwhile is not released unseen.
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { formLocale, formText, formTexts } from '@/features/portal/form-data';
import { HOLD_LIMITS, holdBody } from './hold-input';

const fieldsOf = (errors: Array<{ path?: string }> | undefined) =>
  (errors ?? []).map((error) => (error.path ?? '').replace(/^\//, '').split(/[./]/)[0]).join(',');

export async function placeHold(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/retention`;
  const input = holdBody((name) => formText(form, name), formTexts(form, 'categories'));
  const back = (query: Record<string, string>) =>
    redirect(`${page}?${new URLSearchParams(query)}#hold-result`);
  if (!input.ok)
    back({
      error: input.error,
      failed: 'hold',
      fields: input.fields.join(','),
      scope: formText(form, 'scope'),
    });
  const response = await apiResponse('/v1/privacy/legal-holds', {
    method: 'POST',
    body: input.ok ? input.body : {},
  });
  if (response.ok) back({ done: 'hold' });
  const problem = await problemOf(response);
  back({
    error: problem.code ?? 'failed',
    failed: 'hold',
    fields: fieldsOf(problem.errors),
    scope: formText(form, 'scope'),
  });
}

export async function releaseHold(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/retention`;
  const id = formText(form, 'id');
  if (!isUuid(id)) redirect(page);
  const reason = formText(form, 'reason').trim();
  if (!reason || reason.length > HOLD_LIMITS.reason) {
    redirect(
      `${page}?${new URLSearchParams({ release: id, error: 'reason_required', failed: 'release', fields: 'reason' })}#release-confirm`,
    );
  }
  const response = await apiResponse(`/v1/privacy/legal-holds/${id}/release`, {
    method: 'POST',
    body: { reason },
    headers: { 'if-match': `"${Number.parseInt(formText(form, 'version'), 10)}"` },
  });
  if (response.ok) redirect(`${page}?done=release#hold-result`);
  const problem = await problemOf(response);
  redirect(
    `${page}?${new URLSearchParams({ error: problem.code ?? 'failed', failed: 'release' })}#hold-result`,
  );
}
