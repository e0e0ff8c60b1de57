'use server';
/**
 * Claims a device with the serial number and code from its sticker, into a site the user picked (a
 * server action: Next.js checks the Origin). The outcome comes back as query parameters on the claim
 * page, so the form works without JavaScript. The code itself is never put into an address: after a
 * refusal the serial number and site are kept, and the code is typed or scanned again.
 */
import { redirect } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import type { Device } from '@/features/api/types';
import { routing } from '@/i18n/routing';
import { CODE_PATTERN, SERIAL_PATTERN } from './claim-input';

/** The API's refusals as the claim page names them; anything else is `failed`. */
const known: Record<string, string> = {
  invalid_claim_code: 'invalid_claim_code',
  too_many_attempts: 'too_many_attempts',
  invalid_state_transition: 'not_claimable',
  invalid_reference: 'invalid_reference',
  forbidden: 'forbidden',
  conflict: 'conflict',
};

export async function claimDevice(form: FormData): Promise<void> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const requested = field('locale');
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  const serialNumber = field('serialNumber');
  const code = field('code');
  const siteId = field('siteId');
  const back = (error: string, extra: Record<string, string> = {}) => {
    const kept = { serial: serialNumber.slice(0, 64), site: isUuid(siteId) ? siteId : '' };
    const query = new URLSearchParams({ ...kept, error, ...extra });
    for (const [name, value] of [...query]) if (!value) query.delete(name);
    redirect(`/${locale}/claim?${query}`);
  };

  if (!SERIAL_PATTERN.test(serialNumber)) return back('serial_format');
  if (!CODE_PATTERN.test(code)) return back('code_format');
  if (!isUuid(siteId)) return back('site_required');
  const response = await apiResponse('/v1/claims', {
    method: 'POST',
    body: { serialNumber, code, siteId },
  });
  if (response.ok) {
    const device = (await response.json()) as Device;
    redirect(`/${locale}/claim?claimed=${encodeURIComponent(device.id)}`);
  }
  const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  const problem = await problemOf(response);
  const error = known[problem.code ?? ''] ?? 'failed';
  return back(error, error === 'too_many_attempts' && retryAfter > 0 ? { retry: String(retryAfter) } : {});
}
