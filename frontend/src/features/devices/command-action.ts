'use server';
/**
 * Sends a command to a device for the signed-in user (a server action: Next.js checks the Origin).
 * Name and parameters are checked first (`parseCommandInput`); a typo comes back with what was
 * typed, so it can be corrected. The result is shown in the page's commands panel.
 */
import { redirect } from 'next/navigation';
import { hasLocale } from 'next-intl';
import { apiResponse, problemOf } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { routing } from '@/i18n/routing';
import { MAX_PARAMS_JSON, parseCommandInput } from './command-input';

export async function sendCommand(form: FormData): Promise<void> {
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  const requested = field('locale');
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  const id = field('id');
  if (!isUuid(id)) redirect(`/${locale}/devices`);
  const page = `/${locale}/devices/${id}`;
  const name = field('name');
  const params = field('params');
  const input = parseCommandInput(name, params);
  if (!input.ok) {
    // What was typed comes back (if it fits an address) so that the typo can be fixed.
    const kept = new URLSearchParams({ commandResult: input.error, commandName: name.slice(0, 64) });
    if (params.length <= MAX_PARAMS_JSON) kept.set('commandParams', params);
    redirect(`${page}?${kept}#command-result`);
  }
  const response = await apiResponse(`/v1/devices/${id}/commands`, {
    method: 'POST',
    body: { name: input.name, ...(input.params ? { params: input.params } : {}) },
  });
  if (response.ok) {
    const { id: commandId } = (await response.json()) as { id: string };
    redirect(`${page}?commandResult=sent&command=${encodeURIComponent(commandId)}#command-result`);
  }
  const code = (await problemOf(response)).code ?? 'failed';
  // The only state a command needs is `active`: say that rather than the lifecycle's general words.
  const error = code === 'invalid_state_transition' ? 'not_active' : code;
  redirect(`${page}?commandResult=${encodeURIComponent(error)}#command-result`);
}
