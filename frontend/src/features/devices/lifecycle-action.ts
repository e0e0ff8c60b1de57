'use server';
/**
 * Runs one lifecycle action for the signed-in user (a server action: Next.js checks the Origin,
 * so another site cannot submit it). The result comes back as a query parameter on the device
 * page, so the form works before hydration and without JavaScript.
 */
import { redirect } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { type LifecycleAction, lifecycleActions } from '@/features/api/types';
import { routing } from '@/i18n/routing';

export async function runLifecycleAction(form: FormData): Promise<void> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const requested = field('locale');
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  const id = field('id');
  const action = field('action') as LifecycleAction;
  if (!isUuid(id) || !lifecycleActions.includes(action)) redirect(`/${locale}/devices`);
  const siteId = field('siteId');
  let outcome: string;
  if (action === 'claim' && !isUuid(siteId)) {
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
