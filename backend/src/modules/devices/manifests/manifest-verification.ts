/**
 * Verifying a Trust&GO-style manifest before anything of it is stored: every entry must be a JWS
 * (flattened JSON serialization, ES256) signed by a trusted manifest signer, whose payload is a
 * SecureElement naming the same chip as its unsigned header, with a slot-0 identity key that is a
 * real P-256 point. The first entry that fails refuses the whole manifest, naming its index: a
 * partial import would leave an allowlist nobody asked for.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { decodeProtectedHeader, errors, flattenedVerify } from 'jose';
import { AppError } from '../../../core/errors/app-error.js';
import type { ManifestSigner } from './manifest-signers.js';
import { type SecureElement, type SignedSecureElement, secureElementSchema } from './manifests.dto.js';

export interface VerifiedEntry {
  index: number;
  /** Lower-case hex. */
  uniqueId: string;
  model: SecureElement['model'];
  partNumber: string;
  groupId: string | null;
  provisionedAt: string | null;
  /** DER SubjectPublicKeyInfo of the slot-0 key. */
  publicKeySpki: Buffer;
  /** SHA-256 of that SPKI, hex: what a CSR's key is compared with. */
  publicKeySha256: string;
  signerSha256: string;
  signed: SignedSecureElement;
}

/** Why an entry is refused: the path inside the entry, a stable code and a message. */
class Refusal {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly message: string,
  ) {}
}

function refuse(index: number, { path, code, message }: Refusal): AppError {
  return new AppError('invalid_manifest', {
    detail: `Entry ${index} is not acceptable (${message}); nothing was imported.`,
    errors: [{ location: 'body', path: path ? `${index}.${path}` : String(index), message, code }],
    extensions: { index },
  });
}

/** The configured signers the entry's protected header names (x5t#S256 first, then kid). */
function candidatesFor(entry: SignedSecureElement, signers: readonly ManifestSigner[]): ManifestSigner[] {
  const header = decodeProtectedHeader(entry);
  const x5t = header['x5t#S256'];
  if (typeof x5t === 'string') return signers.filter((s) => s.x5tS256 === x5t);
  if (typeof header.kid === 'string') return signers.filter((s) => s.kid === header.kid);
  return [...signers];
}

async function verifiedPayload(
  entry: SignedSecureElement,
  signers: readonly ManifestSigner[],
): Promise<{ payload: Uint8Array; signer: ManifestSigner } | Refusal> {
  let candidates: ManifestSigner[];
  try {
    candidates = candidatesFor(entry, signers);
  } catch {
    return new Refusal('protected', 'malformed_entry', 'The protected header is not base64url JSON');
  }
  if (candidates.length === 0) {
    return new Refusal('protected', 'unknown_signer', 'Signed by no trusted manifest signer');
  }
  let last = new Refusal('signature', 'signature_invalid', 'The signature does not verify');
  for (const signer of candidates) {
    try {
      const { payload } = await flattenedVerify(entry, signer.publicKey, { algorithms: ['ES256'] });
      return { payload, signer };
    } catch (error) {
      if (error instanceof errors.JOSEAlgNotAllowed) {
        return new Refusal('protected', 'unsupported_algorithm', 'Entries must be signed ES256');
      }
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) {
        last = new Refusal('', 'malformed_entry', 'Not a well-formed JWS');
      }
    }
  }
  return last;
}

function parsePayload(bytes: Uint8Array): SecureElement | Refusal {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return new Refusal('payload', 'invalid_payload', 'The payload is not JSON');
  }
  const parsed = secureElementSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return new Refusal(
    'payload',
    'invalid_payload',
    `Not a SecureElement${field ? ` (${field}: ${issue?.message})` : ''}`,
  );
}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/** The slot-0 key as DER SPKI, or why it is unusable. Node refuses points off the curve. */
function identityKey(element: SecureElement): Buffer | Refusal {
  const refusal = (message: string) => new Refusal('payload', 'invalid_key', message);
  const jwk = element.publicKeySet.keys.find((key) => key.kid === '0');
  if (!jwk) return refusal('No slot-0 key (kid "0") in publicKeySet');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return refusal('The slot-0 key is not an EC P-256 key');
  if (!COORDINATE.test(jwk.x ?? '') || !COORDINATE.test(jwk.y ?? '')) {
    return refusal('The slot-0 key’s coordinates are not 32-byte base64url values');
  }
  try {
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' });
    return key.export({ type: 'spki', format: 'der' });
  } catch {
    return refusal('The slot-0 key is not a point on the P-256 curve');
  }
}

async function verifyEntry(
  entry: SignedSecureElement,
  index: number,
  signers: readonly ManifestSigner[],
): Promise<VerifiedEntry> {
  const verified = await verifiedPayload(entry, signers);
  if (verified instanceof Refusal) throw refuse(index, verified);
  const element = parsePayload(verified.payload);
  if (element instanceof Refusal) throw refuse(index, element);
  const uniqueId = element.uniqueId.toLowerCase();
  if (entry.header.uniqueId.toLowerCase() !== uniqueId) {
    throw refuse(
      index,
      new Refusal(
        'header.uniqueId',
        'unique_id_mismatch',
        'The header names another chip than the signed payload',
      ),
    );
  }
  const spki = identityKey(element);
  if (spki instanceof Refusal) throw refuse(index, spki);
  return {
    index,
    uniqueId,
    model: element.model,
    partNumber: element.partNumber,
    groupId: element.groupId ?? null,
    provisionedAt: element.provisioningTimestamp ?? null,
    publicKeySpki: spki,
    publicKeySha256: createHash('sha256').update(spki).digest('hex'),
    signerSha256: verified.signer.fingerprintSha256,
    signed: entry,
  };
}

/** Every entry verified, in order; throws `invalid_manifest` naming the first entry that is not. */
export async function verifyManifest(
  entries: readonly SignedSecureElement[],
  signers: readonly ManifestSigner[],
): Promise<VerifiedEntry[]> {
  const verified: VerifiedEntry[] = [];
  const seenChips = new Set<string>();
  const seenKeys = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const result = await verifyEntry(entry, index, signers);
    if (seenChips.has(result.uniqueId) || seenKeys.has(result.publicKeySha256)) {
      throw refuse(index, new Refusal('', 'duplicate_entry', 'The manifest lists this chip or key twice'));
    }
    seenChips.add(result.uniqueId);
    seenKeys.add(result.publicKeySha256);
    verified.push(result);
  }
  return verified;
}
