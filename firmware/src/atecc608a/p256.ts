/**
 * ECDSA over P-256 on a bare 32-byte digest, which is what the ATECC608A's Sign and Verify commands do and
 * what the emulator must do too. node:crypto cannot: `crypto.sign(null, data, ecKey)` still hashes `data`
 * with SHA-256, so a digest the chip received would be hashed twice. node:crypto therefore does the
 * key-dependent point multiplications (ECDH `setPrivateKey` → `getPublicKey`, in OpenSSL), and the rest is
 * the textbook arithmetic of SEC 1 §4.1.3 (sign) and §4.1.4 (verify) in BigInt. Signatures are R||S,
 * 32 bytes each, big-endian, as the chip sends them; a test checks them against node:crypto's verify.
 *
 * The BigInt parts are not constant-time: this backs an emulator and a test double, not a production signer.
 */
import { createECDH, randomBytes } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

/** Jacobian coordinates (X/Z², Y/Z³); z = 0 is the point at infinity. */
interface Point {
  x: bigint;
  y: bigint;
  z: bigint;
}

const INFINITY: Point = { x: 1n, y: 1n, z: 0n };
const G: Point = { x: GX, y: GY, z: 1n };

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r >= 0n ? r : r + m;
};

function powMod(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** Inverse modulo a prime (Fermat). */
const invMod = (a: bigint, m: bigint): bigint => powMod(a, m - 2n, m);

export const toBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

export const to32Bytes = (value: bigint): Buffer => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

function double(p: Point): Point {
  if (p.z === 0n || p.y === 0n) return INFINITY;
  // dbl-2001-b for a = -3.
  const delta = (p.z * p.z) % P;
  const gamma = (p.y * p.y) % P;
  const beta = (p.x * gamma) % P;
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P);
  const x = mod(alpha * alpha - 8n * beta, P);
  const z = mod((p.y + p.z) * (p.y + p.z) - gamma - delta, P);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, P);
  return { x, y, z };
}

function add(p: Point, q: Point): Point {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const z1z1 = (p.z * p.z) % P;
  const z2z2 = (q.z * q.z) % P;
  const u1 = (p.x * z2z2) % P;
  const u2 = (q.x * z1z1) % P;
  const s1 = (((p.y * q.z) % P) * z2z2) % P;
  const s2 = (((q.y * p.z) % P) * z1z1) % P;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  if (h === 0n) return r === 0n ? double(p) : INFINITY;
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (u1 * hh) % P;
  const x = mod(r * r - hhh - 2n * v, P);
  const y = mod(r * (v - x) - s1 * hhh, P);
  return { x, y, z: (((p.z * q.z) % P) * h) % P };
}

function affineX(p: Point): bigint | undefined {
  if (p.z === 0n) return undefined;
  const zInv = invMod(p.z, P);
  return (p.x * zInv * zInv) % P;
}

/** u1·G + u2·Q in one pass (Shamir's trick). */
function doubleScalar(u1: bigint, u2: bigint, q: Point): Point {
  const gq = add(G, q);
  let r = INFINITY;
  for (let bit = 255n; bit >= 0n; bit--) {
    r = double(r);
    const a = (u1 >> bit) & 1n;
    const b = (u2 >> bit) & 1n;
    if (a && b) r = add(r, gq);
    else if (a) r = add(r, G);
    else if (b) r = add(r, q);
  }
  return r;
}

export function isOnCurve(x: bigint, y: bigint): boolean {
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return mod(y * y - (x * x * x - 3n * x + B), P) === 0n;
}

/** A private key is a 32-byte big-endian scalar in [1, n-1]. */
export function isValidPrivateKey(d: Uint8Array): boolean {
  if (d.length !== 32) return false;
  const value = toBigInt(d);
  return value >= 1n && value < N;
}

/** A uniformly random scalar in [1, n-1] (rejection sampling). */
export function randomScalar(random: (size: number) => Buffer = randomBytes): Buffer {
  for (;;) {
    const candidate = random(32);
    if (isValidPrivateKey(candidate)) return candidate;
  }
}

/** d·G as X||Y (64 bytes), computed by node:crypto. */
export function publicKeyOf(d: Uint8Array): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  return ecdh.getPublicKey().subarray(1);
}

/** ECDSA signature R||S of `digest` (used as the integer e, no hashing) with private key `d`. */
export function signDigest(d: Uint8Array, digest: Uint8Array): Buffer {
  if (!isValidPrivateKey(d) || digest.length !== 32) throw new RangeError('bad key or digest');
  const e = toBigInt(digest);
  const key = toBigInt(d);
  for (;;) {
    const k = randomScalar();
    const r = mod(toBigInt(publicKeyOf(k).subarray(0, 32)), N);
    if (r === 0n) continue;
    const s = mod(invMod(toBigInt(k), N) * (e + r * key), N);
    if (s === 0n) continue;
    return Buffer.concat([to32Bytes(r), to32Bytes(s)]);
  }
}

/** Whether R||S is a valid signature of `digest` under the public key X||Y. */
export function verifyDigest(publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 64 || digest.length !== 32 || signature.length !== 64) return false;
  const qx = toBigInt(publicKey.subarray(0, 32));
  const qy = toBigInt(publicKey.subarray(32));
  if (!isOnCurve(qx, qy)) return false;
  const r = toBigInt(signature.subarray(0, 32));
  const s = toBigInt(signature.subarray(32));
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const w = invMod(s, N);
  const u1 = mod(toBigInt(digest) * w, N);
  const u2 = mod(r * w, N);
  const x = affineX(doubleScalar(u1, u2, { x: qx, y: qy, z: 1n }));
  return x !== undefined && mod(x, N) === r;
}
