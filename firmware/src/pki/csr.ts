/**
 * A PKCS#10 certificate signing request (RFC 2986) signed inside the ATECC608A: the platform's CA issues the
 * device certificate from it, so the private key never has to leave the chip. The request names the device
 * (CN = its UUID), carries the chip's P-256 public key and is signed ecdsa-with-SHA256, the only signature
 * the chip can make.
 */
import { createHash } from 'node:crypto';
import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { ecdsaWithSHA256 } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AttributeTypeAndValue,
  AttributeValue,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import type { Atecc608a } from '../atecc608a/driver.js';
import { spkiFromRaw } from '../atecc608a/public-key.js';
import { ecdsaSignatureDer } from './ecdsa-signature.js';

const COMMON_NAME = '2.5.4.3';
/** RFC 5280's ub-common-name. */
const MAX_COMMON_NAME = 64;

export interface CsrOptions {
  /** The chip slot holding the device key; default 0 (the identity key of the default slot map). */
  slot?: number;
  /** The subject's CN: the device's UUID. */
  commonName: string;
}

export interface CertificateSigningRequest {
  pem: string;
  der: Uint8Array;
}

export async function createCertificateSigningRequest(
  chip: Atecc608a,
  { slot = 0, commonName }: CsrOptions,
): Promise<CertificateSigningRequest> {
  if (commonName.length < 1 || commonName.length > MAX_COMMON_NAME) {
    throw new RangeError(`the common name has 1 to ${MAX_COMMON_NAME} characters`);
  }
  const publicKey = await chip.getPublicKey(slot);
  const info = new CertificationRequestInfo({
    version: 0,
    subject: subjectName(commonName),
    subjectPKInfo: AsnConvert.parse(spkiFromRaw(publicKey), SubjectPublicKeyInfo),
    attributes: new Attributes(),
  });
  const digest = createHash('sha256')
    .update(Buffer.from(AsnConvert.serialize(info)))
    .digest();
  const rawSignature = await chip.signDigest(slot, digest);
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: ecdsaWithSHA256,
    signature: ecdsaSignatureDer(rawSignature),
  });
  const der = new Uint8Array(AsnConvert.serialize(request));
  return { der, pem: pemOf(der) };
}

function subjectName(commonName: string): Name {
  // UTF8String, as RFC 5280 asks of new certificates (PrintableString would refuse e.g. '_' or '@').
  const cn = new AttributeTypeAndValue({
    type: COMMON_NAME,
    value: new AttributeValue({ utf8String: commonName }),
  });
  return new Name([new RelativeDistinguishedName([cn])]);
}

function pemOf(der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}
