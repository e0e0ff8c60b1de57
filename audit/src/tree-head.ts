/**
 * Signed tree heads (STH): the log's Ed25519 signature over (treeSize, rootHash, timestamp, keyId), and
 * witness cosignatures over a signed head. The signed bytes are the RFC 8785 canonical JSON of exactly
 * the named fields, so any implementation can rebuild them from the JSON form; the zod schemas define
 * that JSON form strictly.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalBytes } from './canonical.js';
import { keyIdOf, signMessage, verifyMessage } from './keys.js';

export interface TreeHead {
  treeSize: number;
  /** hex */
  rootHash: string;
  /** ISO-8601 UTC with milliseconds, as Date.prototype.toISOString writes it: 2026-11-25T01:02:03.456Z */
  timestamp: string;
  keyId: string;
}

export interface SignedTreeHead extends TreeHead {
  /** base64 */
  signature: string;
}

export interface WitnessCosignature {
  witnessKeyId: string;
  timestamp: string;
  /** base64 */
  signature: string;
}

export const TREE_HEAD_DOMAIN = 'custos-tree-head-v1';
export const WITNESS_DOMAIN = 'custos-witness-cosignature-v1';

/** Canonical base64 of exactly `bytes` bytes: re-encoding must give the same text, so no two strings
 * decode to the same value. */
function base64Of(bytes: number) {
  const chars = 4 * Math.ceil(bytes / 3);
  return z
    .string()
    .length(chars, `must be ${chars} characters of base64 (${bytes} bytes)`)
    .refine((text) => {
      const decoded = Buffer.from(text, 'base64');
      return decoded.length === bytes && decoded.toString('base64') === text;
    }, `must be the canonical base64 of ${bytes} bytes`);
}

const hashHex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hexadecimal characters');
const keyIdHex = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lower-case hexadecimal characters');
// One spelling per instant (milliseconds, Z), so the signed bytes of a head are unambiguous.
const utcTimestamp = z.iso.datetime({ precision: 3 }).refine((text) => {
  // An invalid date (e.g. second 60) makes toISOString() throw: it is a failed check, not a crash.
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text;
}, 'must be a real instant in toISOString() form');
const signature = base64Of(64);

export const treeHeadSchema = z.strictObject({
  treeSize: z.int().min(0),
  rootHash: hashHex,
  timestamp: utcTimestamp,
  keyId: keyIdHex,
});

export const signedTreeHeadSchema = z.strictObject({ ...treeHeadSchema.shape, signature });

export const witnessCosignatureSchema = z.strictObject({
  witnessKeyId: keyIdHex,
  timestamp: utcTimestamp,
  signature,
});

export const publicKeyRecordSchema = z.strictObject({
  keyId: keyIdHex,
  algorithm: z.literal('Ed25519'),
  publicKey: base64Of(32),
});

/** The bytes the log signs: canonicalBytes of exactly these four fields (others are ignored). */
export function treeHeadMessage(head: TreeHead): Buffer {
  const { treeSize, rootHash, timestamp, keyId } = head;
  return canonicalBytes({ treeSize, rootHash, timestamp, keyId });
}

/** Signs a tree head; throws if the head is malformed or its keyId is not that of `privateKey`. */
export function signTreeHead(head: TreeHead, privateKey: KeyObject): SignedTreeHead {
  const fields = parseOrThrow(treeHeadSchema, pickHead(head), 'tree head');
  requireKeyId(fields.keyId, privateKey, 'keyId');
  const sig = signMessage(TREE_HEAD_DOMAIN, treeHeadMessage(fields), privateKey);
  return { ...fields, signature: sig.toString('base64') };
}

/** True only for a well-formed head, signed by `publicKey`, whose keyId is that key's id. Extra
 * properties on `head` are ignored (only the JSON form is strict). Never throws. */
export function verifyTreeHead(head: SignedTreeHead, publicKey: KeyObject): boolean {
  try {
    const parsed = signedTreeHeadSchema.safeParse({ ...pickHead(head), signature: head.signature });
    if (!parsed.success || parsed.data.keyId !== keyIdOf(publicKey)) return false;
    const sig = Buffer.from(parsed.data.signature, 'base64');
    return verifyMessage(TREE_HEAD_DOMAIN, treeHeadMessage(parsed.data), sig, publicKey);
  } catch {
    return false;
  }
}

/** The bytes a witness signs: the whole signed head plus the witness's own timestamp. */
export function witnessMessage(head: SignedTreeHead, witnessTimestamp: string): Buffer {
  const { treeSize, rootHash, timestamp, keyId, signature: headSignature } = head;
  return canonicalBytes({ treeSize, rootHash, timestamp, keyId, signature: headSignature, witnessTimestamp });
}

/**
 * A witness's cosignature. The witness is expected to have checked the log's signature and a
 * consistency proof from the last head it cosigned before calling this; this function only signs.
 * Throws if the head or timestamp is malformed or witnessKeyId is not the id of `witnessKey`.
 */
export function cosignTreeHead(
  head: SignedTreeHead,
  witnessKey: KeyObject,
  witnessKeyId: string,
  timestamp: string,
): WitnessCosignature {
  const fields = parseOrThrow(
    signedTreeHeadSchema,
    { ...pickHead(head), signature: head.signature },
    'tree head',
  );
  parseOrThrow(utcTimestamp, timestamp, 'witness timestamp');
  requireKeyId(witnessKeyId, witnessKey, 'witnessKeyId');
  const sig = signMessage(WITNESS_DOMAIN, witnessMessage(fields, timestamp), witnessKey);
  return { witnessKeyId, timestamp, signature: sig.toString('base64') };
}

/** True only for a well-formed cosignature by `witnessPublicKey` over exactly this head. Does not check
 * the log's own signature on the head (use verifyTreeHead). Never throws. */
export function verifyCosignature(
  head: SignedTreeHead,
  cosig: WitnessCosignature,
  witnessPublicKey: KeyObject,
): boolean {
  try {
    const parsedHead = signedTreeHeadSchema.safeParse({ ...pickHead(head), signature: head.signature });
    const parsedCosig = witnessCosignatureSchema.safeParse({
      witnessKeyId: cosig.witnessKeyId,
      timestamp: cosig.timestamp,
      signature: cosig.signature,
    });
    if (!parsedHead.success || !parsedCosig.success) return false;
    if (parsedCosig.data.witnessKeyId !== keyIdOf(witnessPublicKey)) return false;
    const message = witnessMessage(parsedHead.data, parsedCosig.data.timestamp);
    return verifyMessage(
      WITNESS_DOMAIN,
      message,
      Buffer.from(parsedCosig.data.signature, 'base64'),
      witnessPublicKey,
    );
  } catch {
    return false;
  }
}

function pickHead(head: TreeHead): TreeHead {
  return { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp, keyId: head.keyId };
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TypeError(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function requireKeyId(keyId: string, privateKey: KeyObject, field: string): void {
  const actual = keyIdOf(createPublicKey(privateKey));
  if (keyId !== actual)
    throw new Error(`${field} ${JSON.stringify(keyId)} is not the signing key's id (${actual})`);
}
