'use server';
/**
 * Revokes one of a device's certificates (a server action: Next.js checks the Origin). Reached only
 * from the confirmation step on the device page; the result is shown in its certificates panel.
 */
import { redirect } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { type RevocationReason, revocationReasons } from '@/features/api/types';
import { routing } from '@/i18n/routing';
import { CERTIFICATE_SERIAL } from './certificate-serial';

export async function revokeCertificate(form: FormData): Promise<void> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const requested = field('locale');
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  const id = field('id');
  if (!isUuid(id)) redirect(`/${locale}/devices`);
  const page = `/${locale}/devices/${id}`;
  const serial = field('serial');
  const reason = field('reason') as RevocationReason;
  if (!CERTIFICATE_SERIAL.test(serial) || !revocationReasons.includes(reason)) {
    redirect(`${page}?certificateResult=reason_required#certificate-result`);
  }
  const response = await apiResponse(`/v1/devices/${id}/certificates/${serial}/revoke`, {
    method: 'POST',
    body: { reason },
  });
  if (response.ok) redirect(`${page}?certificateResult=revoked#certificate-result`);
  const code = (await problemOf(response)).code ?? 'failed';
  const error = code === 'invalid_state_transition' ? 'already_revoked' : code;
  redirect(`${page}?certificateResult=${encodeURIComponent(error)}#certificate-result`);
}
