/**
 * Reading a device's certificate signing request: the proof that the chip holds the private key of
 * the public key we are about to certify. Anything that is not a well-formed PKCS#10 request for an
 * ECDSA P-256 key, signed by that key, naming this device, is refused with the field at fault.
 */
import { AppError } from '../../../core/errors/app-error.js';
import { x509 } from '../../../core/pki/x509.js';

export interface VerifiedCsr {
  publicKey: x509.PublicKey;
  /** SHA-256 of the SubjectPublicKeyInfo, hex. */
  publicKeySha256: string;
}

function refuse(message: string, detail: string): AppError {
  return new AppError('invalid_csr', {
    detail,
    errors: [{ location: 'body', path: 'csr', message, code: 'invalid_csr' }],
  });
}

export async function verifyCsr(pem: string, deviceId: string): Promise<VerifiedCsr> {
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw refuse('Not a PEM-encoded PKCS#10 certificate signing request', 'The CSR could not be parsed.');
  }
  const algorithm = request.publicKey.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') {
    throw refuse('The key must be ECDSA P-256', 'Only ECDSA P-256 keys (the ATECC608A’s) are certified.');
  }
  const valid = await request.verify().catch(() => false);
  if (!valid) throw refuse('The signature does not verify', 'The CSR is not signed by its own key.');
  const commonNames = request.subjectName.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== deviceId) {
    throw refuse('The subject CN must be the device id', 'The CSR names another device.');
  }
  return {
    publicKey: request.publicKey,
    publicKeySha256: Buffer.from(await request.publicKey.getThumbprint('SHA-256')).toString('hex'),
  };
}
