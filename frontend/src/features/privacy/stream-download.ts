/**
 * Passes a download from the API through to the browser unchanged and unbuffered: the API's
 * content type and file name, no caching; a refusal becomes the same problem the API gave.
 */
import 'server-only';
import { NextResponse } from 'next/server';
import { problemOf } from '@/features/api/api-client';
import { problemResponse } from '@/features/api/problem-response';

export async function streamDownload(response: Response, fallbackName: string): Promise<NextResponse> {
  if (!response.ok || !response.body) {
    const { status, code } = await problemOf(response);
    return problemResponse(status, code ?? 'failed');
  }
  const headers: Record<string, string> = {
    'content-type': response.headers.get('content-type') ?? 'application/octet-stream',
    'content-disposition':
      response.headers.get('content-disposition') ?? `attachment; filename="${fallbackName}"`,
    'cache-control': 'no-store',
  };
  const length = response.headers.get('content-length');
  if (length) headers['content-length'] = length;
  return new NextResponse(response.body, { status: 200, headers });
}
