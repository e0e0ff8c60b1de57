/**
 * What a claim looks like before it reaches the API: the formats of serial number and claim code
 * (the API's own, so the form can say which field is wrong in the user's language), and reading
 * the address a device's QR sticker carries (`<WEB_PUBLIC_URL>/claim?serial=…&code=…`). Used by the
 * server action and by the scanner in the browser, so it imports nothing but the locale list.
 */
import { routing } from '@/i18n/routing';

/** The registry's serial number format (docs/api.md, Claiming). */
export const SERIAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** A claim code as printed or typed: case, spaces and hyphens do not matter to the API. */
export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 -]{0,38}$/;

export type ClaimUrlReading =
  | { ok: true; serial: string; code: string }
  /** not_a_url: any other text; other_site: an address elsewhere; not_a_claim: ours, but no claim. */
  | { ok: false; reason: 'not_a_url' | 'other_site' | 'not_a_claim' };

const claimPath = new RegExp(`^/(?:(?:${routing.locales.join('|')})/)?claim/?$`);

/**
 * The serial number and code in a scanned text, if it is a claim address of this installation
 * (`origin` is the web app's public address). Anything else is refused, never half-read: a QR code
 * of another site must not fill the form.
 */
export function readClaimUrl(text: string, origin: string): ClaimUrlReading {
  let url: URL;
  let expected: string;
  try {
    url = new URL(text.trim());
    expected = new URL(origin).origin;
  } catch {
    return { ok: false, reason: 'not_a_url' };
  }
  if (url.origin !== expected || url.username || url.password) return { ok: false, reason: 'other_site' };
  const serial = url.searchParams.get('serial') ?? '';
  const code = url.searchParams.get('code') ?? '';
  if (!claimPath.test(url.pathname) || !SERIAL_PATTERN.test(serial) || !CODE_PATTERN.test(code)) {
    return { ok: false, reason: 'not_a_claim' };
  }
  return { ok: true, serial, code };
}

/** Which field of the claim form a refusal points at (for aria-invalid). */
export function invalidFields(error: string | undefined): Array<'serial' | 'code' | 'site'> {
  switch (error) {
    case 'serial_format':
      return ['serial'];
    case 'code_format':
      return ['code'];
    case 'invalid_claim_code':
      return ['serial', 'code'];
    case 'site_required':
    case 'invalid_reference':
      return ['site'];
    default:
      return [];
  }
}
