import type { NextRequest } from 'next/server';
import { signOut } from '@/features/auth/auth-routes';

export const dynamic = 'force-dynamic';
// POST only: a sign-out link that a page could embed must not end someone's session.
export const POST = (request: NextRequest) => signOut(request);
