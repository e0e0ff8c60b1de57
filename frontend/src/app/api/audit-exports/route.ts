/**
 * The export, through the backend-for-frontend: checks the request came from this app's own
 * pages, then streams the API's signed bundle through unchanged (never buffered here).
 */
import { type NextRequest, NextResponse } from 'next/server';
import { apiResponse, NotSignedIn, problemOf } from '@/features/api/api-client';
import { problemResponse } from '@/features/api/problem-response';
import { fromOurPages } from '@/features/auth/auth-routes';
import { exportBody } from '@/features/compliance/export-body';

export const dynamic = 'force-dynamic';

export async function POST(request: NextRequest) {
  // Cross-site requests carry another Origin; the session cookie is SameSite=Lax as well.
  if (!fromOurPages(request)) return problemResponse(403, 'forbidden');
  const body = exportBody(await request.json().catch(() => undefined));
  if (!body) return problemResponse(400, 'validation_failed');
  try {
    const response = await apiResponse('/v1/audit/exports', { method: 'POST', body });
    if (!response.ok || !response.body) {
      const { status, code } = await problemOf(response);
      return problemResponse(status, code ?? 'failed');
    }
    return new NextResponse(response.body, {
      status: 200,
      headers: {
        'content-type': 'application/x-tar',
        'content-disposition': response.headers.get('content-disposition') ?? 'attachment',
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    if (error instanceof NotSignedIn) return problemResponse(401, 'unauthenticated');
    return problemResponse(502, 'api_unavailable');
  }
}
