/**
 * What the platform tells a broker when a certificate is revoked: the new CRL (so the certificate
 * is refused at the next connection) and the identities whose open sessions must be dropped now
 * (a CRL is only checked at the TLS handshake, so a connected device would otherwise keep going).
 * Implementations: the embedded broker of `npm start` (in-process), the Mosquitto test harness, and
 * EMQX's REST API in production (emqx-broker-control.ts).
 */
export interface RevocationUpdate {
  /** PEM CRL of the issuing CA listing every revoked, unexpired device certificate. */
  crlPem: string;
  /** MQTT identities (device ids) to disconnect now; empty when only the CRL changed. */
  disconnect: readonly string[];
}

export interface BrokerControl {
  applyRevocations(update: RevocationUpdate): Promise<void>;
}
