/**
 * The chip signs P-256 as raw R||S (IEEE P1363); X.509 and PKCS#10 carry the DER ECDSA-Sig-Value (RFC 3279).
 */
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';

/** DER ECDSA-Sig-Value of a 64-byte R||S. */
export function ecdsaSignatureDer(rs: Uint8Array): ArrayBuffer {
  if (rs.length !== 64) throw new RangeError('a P-256 signature is 64 bytes (R||S)');
  const value = new ECDSASigValue({
    r: positiveInteger(rs.subarray(0, 32)),
    s: positiveInteger(rs.subarray(32)),
  });
  return AsnConvert.serialize(value);
}

/**
 * A DER INTEGER's content for an unsigned big-endian number: minimal (no leading zero bytes) and positive (a
 * 0x00 in front when the high bit is set). OpenSSL refuses any other encoding of a signature.
 */
function positiveInteger(unsigned: Uint8Array): ArrayBuffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const minimal = unsigned.subarray(start);
  const out = new Uint8Array(minimal.length + ((minimal[0] ?? 0) & 0x80 ? 1 : 0));
  out.set(minimal, out.length - minimal.length);
  return out.buffer;
}
