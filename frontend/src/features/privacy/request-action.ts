'use server';
/**
 * The privacy officer's steps on a request (server actions: Next.js checks the Origin): assign,
 * verify identity and link the subject, extend, reject, process. Each sends the ETag read with
 * the page as If-Match, so a change made meanwhile is refused (412) and said so. The outcome comes
 * back as query parameters, so the forms work without JavaScript.
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { formLocale, formText } from '@/features/portal/form-data';
import { type RequestActionName, requestActionBody, requestActionNames } from './request-action-body';

export async function runRequestAction(form: FormData): Promise<void> {
  const locale = formLocale(form);
  const id = formText(form, 'id');
  const action = formText(form, 'action') as RequestActionName;
  if (!isUuid(id) || !requestActionNames.includes(action)) redirect(`/${locale}/privacy`);
  const page = `/${locale}/privacy/requests/${id}`;
  const input = requestActionBody(action, (name) => formText(form, name));
  if (!input.ok) {
    redirect(
      `${page}?${new URLSearchParams({ error: input.error, failed: action, fields: input.fields.join(',') })}#request-result`,
    );
  }
  const response = await apiResponse(`/v1/privacy/requests/${id}/${action}`, {
    method: 'POST',
    body: input.body,
    headers: { 'if-match': formText(form, 'etag') },
  });
  if (response.ok) redirect(`${page}?done=${action}#request-result`);
  const problem = await problemOf(response);
  const fields = (problem.errors ?? []).map(
    (error) => (error.path ?? '').replace(/^\//, '').split(/[./]/)[0],
  );
  const query = new URLSearchParams({ error: problem.code ?? 'failed', failed: action });
  if (fields.length > 0) query.set('fields', fields.join(','));
  redirect(`${page}?${query}#request-result`);
}
