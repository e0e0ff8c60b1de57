/**
 * Whether a download was asked for from this app (or typed into the address bar), not by another
 * site: the session cookie is SameSite=Lax, so a cross-site link would still carry it, and each
 * download is an audited read of personal data. Browsers send Sec-Fetch-Site on every request.
 */
import type { NextRequest } from 'next/server';

export const notCrossSite = (request: NextRequest) => {
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none';
};
