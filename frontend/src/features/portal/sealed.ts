/**
 * Small encrypted values for the portal's cookies (JWE `dir` + A256GCM, as the session cookie),
 * under a key of their own derived from WEB_SESSION_SECRET: a portal cookie can never be taken for
 * a session, and the audience keeps the portal's two kinds apart.
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { env } from '@/env';

const key = () => createHash('sha256').update(`custos-portal\0${env().WEB_SESSION_SECRET}`).digest();

export async function seal(payload: Record<string, unknown>, audience: string, ttlSeconds: number) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .encrypt(key());
}

export async function unseal<T>(value: string | undefined, audience: string): Promise<T | undefined> {
  if (!value) return undefined;
  try {
    const { payload } = await jwtDecrypt(value, key(), { audience });
    return payload as T;
  } catch {
    // Tampered, expired or sealed under another secret: as if there were none.
    return undefined;
  }
}
