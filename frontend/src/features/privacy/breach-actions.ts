'use server';
/**
 * Recording a breach and changing its record (server actions: Next.js checks the Origin). A change
 * carries the ETag read with the page as If-Match. Refusals name the fields at fault; notifying
 * the authority after the 72 hours needs the reason for the delay (GDPR art. 33(1)).
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { formLocale, formText, formTexts } from '@/features/portal/form-data';
import { breachBody } from './breach-input';

const fieldsOf = (errors: Array<{ path?: string }> | undefined) =>
  (errors ?? []).map((error) => (error.path ?? '').replace(/^\//, '').split(/[./]/)[0]).join(',');

export async function createBreach(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/breaches`;
  const input = breachBody((name) => formText(form, name), formTexts(form, 'categories'), 'create');
  if (!input.ok) {
    redirect(
      `${page}?${new URLSearchParams({ error: input.error, failed: 'create', fields: input.fields.join(',') })}#breach-result`,
    );
  }
  const response = await apiResponse('/v1/privacy/breaches', { method: 'POST', body: input.body });
  if (response.ok) {
    const { id } = (await response.json()) as { id?: string };
    if (id && isUuid(id)) redirect(`${page}/${id}?done=create#breach-result`);
    redirect(`${page}?done=create#breach-result`);
  }
  const problem = await problemOf(response);
  redirect(
    `${page}?${new URLSearchParams({ error: problem.code ?? 'failed', failed: 'create', fields: fieldsOf(problem.errors) })}#breach-result`,
  );
}

export async function updateBreach(form: FormData): Promise<void> {
  const locale = formLocale(form);
  const id = formText(form, 'id');
  if (!isUuid(id)) redirect(`/${locale}/privacy/breaches`);
  const page = `/${locale}/privacy/breaches/${id}`;
  const input = breachBody((name) => formText(form, name), formTexts(form, 'categories'), 'edit');
  if (!input.ok) {
    redirect(
      `${page}?${new URLSearchParams({ error: input.error, failed: 'update', fields: input.fields.join(',') })}#breach-result`,
    );
  }
  const response = await apiResponse(`/v1/privacy/breaches/${id}`, {
    method: 'PATCH',
    body: input.body,
    headers: { 'if-match': formText(form, 'etag') },
  });
  if (response.ok) redirect(`${page}?done=update#breach-result`);
  const problem = await problemOf(response);
  redirect(
    `${page}?${new URLSearchParams({ error: problem.code ?? 'failed', failed: 'update', fields: fieldsOf(problem.errors) })}#breach-result`,
  );
}
