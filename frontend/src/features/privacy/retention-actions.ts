'use server';
/**
 * Retention changes by the privacy office (server actions: Next.js checks the Origin): a tenant's
 * period for a schedule that allows one, and starting a retention run (a dry run reports what a
 * real run would remove and removes nothing). Results come back as query parameters.
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { formLocale, formText } from '@/features/portal/form-data';

const SCHEDULE_ID = /^[a-z][a-z0-9.-]{0,63}$/;

export async function saveSchedule(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/retention`;
  const id = formText(form, 'schedule');
  if (!SCHEDULE_ID.test(id)) redirect(page);
  const back = (query: Record<string, string>) =>
    redirect(`${page}?${new URLSearchParams({ schedule: id, ...query })}#schedule-result`);
  const days = Number(formText(form, 'days'));
  if (!Number.isInteger(days) || days < 1) back({ error: 'days_range', failed: 'schedule', fields: 'days' });
  const response = await apiResponse(`/v1/privacy/retention/schedules/${id}`, {
    method: 'PUT',
    body: { days },
  });
  if (response.ok) back({ done: 'schedule' });
  const problem = await problemOf(response);
  const code = problem.code === 'validation_failed' ? 'days_range' : (problem.code ?? 'failed');
  back({ error: code, failed: 'schedule', fields: 'days' });
}

export async function startRun(form: FormData): Promise<void> {
  const page = `/${formLocale(form)}/privacy/retention`;
  const dryRun = formText(form, 'dryRun') !== 'false';
  const response = await apiResponse('/v1/privacy/retention/runs', { method: 'POST', body: { dryRun } });
  if (response.ok) {
    const { id } = (await response.json().catch(() => ({}))) as { id?: string };
    redirect(
      `${page}?${new URLSearchParams({ done: dryRun ? 'dry-run' : 'run', run: id ?? '' })}#runs-result`,
    );
  }
  const problem = await problemOf(response);
  redirect(`${page}?${new URLSearchParams({ error: problem.code ?? 'failed', failed: 'run' })}#runs-result`);
}
