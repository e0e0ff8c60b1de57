import type { NextRequest } from 'next/server';
import { startSignIn } from '@/features/auth/auth-routes';

export const dynamic = 'force-dynamic';
export const GET = (request: NextRequest) => startSignIn(request);
