'use server';
/**
 * Recording consent given or withdrawn, e.g. on paper or by phone (a server action: Next.js checks
 * the Origin). Records are never changed, only followed by newer ones; the result comes back on
 * the subject's view as query parameters.
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { consentActions, consentSources } from '@/features/api/types';
import { formLocale, formText } from '@/features/portal/form-data';

const PURPOSE = /^[a-z][a-z0-9-]{0,63}$/;
const EVIDENCE_MAX = 500;

export async function recordConsent(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/consent`;
  const kind = formText(form, 'kind') === 'user' ? 'user' : 'patient';
  const id = formText(form, 'subjectId').trim();
  const purpose = formText(form, 'purpose');
  const action = formText(form, 'action');
  const source = formText(form, 'source');
  const evidence = formText(form, 'evidence').trim();
  const back = (query: Record<string, string>) =>
    redirect(`${page}?${new URLSearchParams({ kind, id: id.slice(0, 36), ...query })}#consent-result`);
  const bad = [
    ...(isUuid(id) ? [] : ['subjectId']),
    ...(PURPOSE.test(purpose) ? [] : ['purpose']),
    ...((consentActions as readonly string[]).includes(action) ? [] : ['action']),
    ...((consentSources as readonly string[]).includes(source) ? [] : ['source']),
    ...(evidence.length > EVIDENCE_MAX ? ['evidence'] : []),
  ];
  if (bad.length > 0) back({ error: 'invalid_fields', failed: 'consent', fields: bad.join(',') });
  const response = await apiResponse('/v1/privacy/consents', {
    method: 'POST',
    body: {
      [kind === 'user' ? 'userId' : 'patientId']: id,
      purpose,
      action,
      source,
      ...(evidence ? { evidence } : {}),
    },
  });
  if (response.ok) back({ done: 'consent' });
  const problem = await problemOf(response);
  const fields = (problem.errors ?? []).map(
    (error) => (error.path ?? '').replace(/^\//, '').split(/[./]/)[0],
  );
  back({ error: problem.code ?? 'failed', failed: 'consent', fields: fields.join(',') });
}
