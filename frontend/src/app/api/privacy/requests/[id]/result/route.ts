/**
 * A request's result (the access or portability bundle) for a signed-in user the API lets read the
 * request (its privacy officer, or the data subject who filed it), streamed through unbuffered.
 */
import type { NextRequest } from 'next/server';
import { apiResponse, NotSignedIn } from '@/features/api/api-client';
import { isUuid } from '@/features/api/ids';
import { problemResponse } from '@/features/api/problem-response';
import { notCrossSite } from '@/features/privacy/same-site';
import { streamDownload } from '@/features/privacy/stream-download';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!notCrossSite(request)) return problemResponse(403, 'forbidden');
  if (!isUuid(id)) return problemResponse(404, 'not_found');
  try {
    return streamDownload(await apiResponse(`/v1/privacy/requests/${id}/result`), `request-${id}.zip`);
  } catch (error) {
    if (error instanceof NotSignedIn) return problemResponse(401, 'unauthenticated');
    return problemResponse(502, 'api_unavailable');
  }
}
