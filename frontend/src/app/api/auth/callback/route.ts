import type { NextRequest } from 'next/server';
import { finishSignIn } from '@/features/auth/auth-routes';

export const dynamic = 'force-dynamic';
export const GET = (request: NextRequest) => finishSignIn(request);
