'use server';
/**
 * Runs one lifecycle action for the signed-in user (a server action: Next.js checks the Origin,
 * so another site cannot submit it). The result comes back as a query parameter on the device
 * page, so the form works before hydration and without JavaScript.
 */
import { redirect } from 'next/navigation';
import { apiResponse, problemOf } from '@/features/api/api-client';
import type { LifecycleAction } from '@/features/api/types';
import { routing } from '@/i18n/routing';

const actions: readonly LifecycleAction[] = ['provision', 'claim', 'activate', 'suspend', 'decommission'];
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function runLifecycleAction(form: FormData): Promise<void> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const locale = (routing.locales as readonly string[]).includes(field('locale')) ? field('locale') : 'en';
  const id = field('id');
  const action = field('action') as LifecycleAction;
  if (!uuid.test(id) || !actions.includes(action)) redirect(`/${locale}/devices`);
  const siteId = field('siteId');
  let outcome: string;
  if (action === 'claim' && !uuid.test(siteId)) {
    outcome = 'error=site_required';
  } else {
    const response = await apiResponse(`/v1/devices/${id}/${action}`, {
      method: 'POST',
      body: action === 'claim' ? { siteId } : undefined,
      headers: { 'if-match': field('etag') },
    });
    outcome = response.ok
      ? `done=${action}`
      : `error=${encodeURIComponent((await problemOf(response)).code ?? 'failed')}`;
  }
  redirect(`/${locale}/devices/${id}?${outcome}`);
}
