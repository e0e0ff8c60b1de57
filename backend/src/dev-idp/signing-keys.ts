import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** A private signing JWKS, as oidc-provider's `jwks` option expects it. */
export interface PrivateJwks {
  keys: JWK[];
}

export interface SigningKeys {
  jwks: PrivateJwks;
  /** Public half of the active signing key (for the provider's own token checks). */
  publicKey: KeyObject;
}

/** RS256 with a `kid`, like a Keycloak realm's default `rsa-generated` key. */
async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

function parseJwks(text: string, keysFile: string): PrivateJwks {
  const invalid = () => new Error(`dev-idp: ${keysFile} does not hold a private RS256 JWKS`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw invalid();
  for (const key of keys as JWK[]) {
    if (key?.kty !== 'RSA' || typeof key.d !== 'string' || typeof key.kid !== 'string') throw invalid();
  }
  return { keys: keys as JWK[] };
}

function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === code;
}

async function loadOrCreate(keysFile: string): Promise<PrivateJwks> {
  try {
    return parseJwks(await readFile(keysFile, 'utf8'), keysFile);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  const jwks: PrivateJwks = { keys: [await generateSigningJwk()] };
  await mkdir(dirname(keysFile), { recursive: true });
  try {
    // 'wx': never overwrite a key file that appeared meanwhile (two processes starting at once).
    await writeFile(keysFile, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return jwks;
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
    return parseJwks(await readFile(keysFile, 'utf8'), keysFile);
  }
}

/**
 * The signing keys: persisted in `keysFile` (created with mode 0600 when absent) so that tokens
 * survive restarts, or generated in memory for each start when no file is given.
 */
export async function loadSigningKeys(keysFile?: string): Promise<SigningKeys> {
  const jwks = keysFile ? await loadOrCreate(keysFile) : { keys: [await generateSigningJwk()] };
  const [active] = jwks.keys;
  if (!active) throw new Error('dev-idp: no signing key');
  const publicKey = createPublicKey({ key: active as JsonWebKey, format: 'jwk' });
  return { jwks, publicKey };
}
