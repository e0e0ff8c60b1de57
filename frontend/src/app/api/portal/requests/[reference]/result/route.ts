/**
 * The requester's download of their result (an access or portability bundle), streamed from the
 * API through the web app with the request's access token from its cookie; never buffered here.
 * No cookie, or one the API refuses: 404, as for a request that does not exist.
 */
import type { NextRequest } from 'next/server';
import { problemResponse } from '@/features/api/problem-response';
import { publicApiResponse, REFERENCE_PATTERN } from '@/features/portal/portal-api';
import { requestAccess } from '@/features/portal/request-access';
import { notCrossSite } from '@/features/privacy/same-site';
import { streamDownload } from '@/features/privacy/stream-download';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ reference: string }> }) {
  const { reference } = await params;
  // The access cookie is SameSite=Lax too: another site must not make the browser download (an audited read).
  if (!notCrossSite(request)) return problemResponse(403, 'forbidden');
  if (!REFERENCE_PATTERN.test(reference)) return problemResponse(404, 'not_found');
  const access = await requestAccess(reference);
  if (!access) return problemResponse(404, 'not_found');
  try {
    const response = await publicApiResponse(`/v1/privacy/portal/requests/${reference}/result`, {
      token: access.token,
    });
    return streamDownload(response, `${reference}.zip`);
  } catch {
    return problemResponse(502, 'api_unavailable');
  }
}
