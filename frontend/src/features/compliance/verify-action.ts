'use server';
/** "Verify now": asks the API to recompute the whole trail, then shows the compliance page again. */
import { redirect } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { apiResponse } from '@/features/api/api-client';
import { routing } from '@/i18n/routing';

export async function verifyTrailNow(form: FormData): Promise<void> {
  const requested = form.get('locale');
  const locale =
    typeof requested === 'string' && hasLocale(routing.locales, requested)
      ? requested
      : routing.defaultLocale;
  const response = await apiResponse('/v1/audit/verification', { method: 'POST', body: {} });
  redirect(`/${locale}/compliance?verified=${response.ok ? 'done' : 'failed'}#integrity`);
}
