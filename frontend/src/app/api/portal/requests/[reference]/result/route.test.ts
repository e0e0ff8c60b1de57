// @vitest-environment node
/**
 * The requester's download refuses a request another site made the browser send (the access cookie
 * is SameSite=Lax, so it would ride along on a cross-site link), before it reads the cookie or calls
 * the API.
 */
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';

const requestAccess = vi.fn(async () => null);
vi.mock('@/features/portal/request-access', () => ({ requestAccess }));

const { GET } = await import('./route');
const params = { params: Promise.resolve({ reference: 'DSR-ABCD-1234' }) };
const download = (site?: string) =>
  new NextRequest('https://custos.example/api/portal/requests/DSR-ABCD-1234/result', {
    headers: site ? { 'sec-fetch-site': site } : {},
  });

describe('the requester’s result download', () => {
  it('answers 403 to a cross-site request without looking at the access cookie', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await GET(download(site), params);
      expect(res.status).toBe(403);
    }
    expect(requestAccess).not.toHaveBeenCalled();
  });

  it('goes on for a request from the app itself or typed into the address bar (no cookie: 404)', async () => {
    for (const site of ['same-origin', 'none', undefined]) {
      const res = await GET(download(site), params);
      expect(res.status).toBe(404);
    }
    expect(requestAccess).toHaveBeenCalledTimes(3);
  });
});
