/**
 * The embedded broker's certificate revocation check. Node's own `crl` TLS option cannot be used:
 * it turns on OpenSSL's CRL_CHECK_ALL, which demands a CRL for every CA in the chain, and the
 * issuing CA's CRL would have to be signed by the root, whose key stays offline. Mosquitto and EMQX
 * check the leaf certificate only, against the issuing CA's CRL; this does the same, right after
 * the handshake and before any MQTT byte is read.
 */
import { x509 } from '../pki/x509.js';

export class RevocationList {
  private constructor(
    private readonly issuer: string,
    private readonly serials: ReadonlySet<string>,
    readonly nextUpdate: Date | undefined,
  ) {}

  /** Parses a PEM CRL and verifies that one of the trusted CA certificates signed it. */
  static async parse(crlPem: string, trustedCaPem: string): Promise<RevocationList> {
    const crl = new x509.X509Crl(crlPem);
    const signers = x509.PemConverter.decode(trustedCaPem)
      .map((der) => new x509.X509Certificate(der))
      .filter((ca) => ca.subject === crl.issuer);
    const verified = await Promise.all(signers.map((ca) => crl.verify({ publicKey: ca })));
    if (!verified.includes(true)) {
      throw new Error('revocation list not signed by a trusted CA');
    }
    return new RevocationList(
      crl.issuer,
      new Set(crl.entries.map((entry) => normalizeSerial(entry.serialNumber))),
      crl.nextUpdate,
    );
  }

  /** Whether the certificate (DER, as `getPeerCertificate().raw` gives it) is listed. */
  lists(certificateDer: Buffer): boolean {
    const certificate = new x509.X509Certificate(certificateDer);
    return certificate.issuer === this.issuer && this.serials.has(normalizeSerial(certificate.serialNumber));
  }
}

/** Serials compare as numbers: hex, lower case, without leading zeros (OpenSSL and DER differ there). */
function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}
