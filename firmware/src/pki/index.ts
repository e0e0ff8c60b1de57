/** Device-side PKI: the certificate signing request the chip signs. */
export { type CertificateSigningRequest, type CsrOptions, createCertificateSigningRequest } from './csr.js';
export { ecdsaSignatureDer } from './ecdsa-signature.js';
