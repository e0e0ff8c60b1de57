/**
 * The device's side of certificate rotation. `renew-certificate`: the chip signs a new CSR for its
 * key (the key never leaves it). `install-certificate`: the agent checks that the certificate is
 * for this device and this chip's key, reconnects with it, and answers only once connected with it,
 * so the platform revokes the old certificate only after the new one is known to work.
 */
import { X509Certificate } from 'node:crypto';
import type { Atecc608a } from '../atecc608a/driver.js';
import { createCertificateSigningRequest } from '../pki/csr.js';
import { CommandError } from './commands.js';
import type { DeviceAgent } from './device-agent.js';
import type { TlsKeySource } from './tls-key.js';

export const RENEW_CERTIFICATE = 'renew-certificate';
export const INSTALL_CERTIFICATE = 'install-certificate';

export function answerCertificateRotation(
  agent: DeviceAgent,
  chip: Atecc608a,
  options: { deviceId: string; key: TlsKeySource; slot?: number },
): void {
  const slot = options.slot ?? 0;
  agent.onCommand(RENEW_CERTIFICATE, async () => {
    const csr = await createCertificateSigningRequest(chip, { slot, commonName: options.deviceId });
    return { csr: csr.pem };
  });
  agent.onCommand(INSTALL_CERTIFICATE, async (params) => {
    const chain = typeof params.certificate === 'string' ? params.certificate : '';
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(chain);
    } catch {
      throw new CommandError('invalid_certificate');
    }
    const ours = (await chip.publicKey(slot)).export({ type: 'spki', format: 'der' });
    const theirs = certificate.publicKey.export({ type: 'spki', format: 'der' });
    if (!ours.equals(theirs) || !certificate.subject.split('\n').includes(`CN=${options.deviceId}`)) {
      throw new CommandError('certificate_mismatch');
    }
    await agent.rotateCredentials({ certificate: chain, key: options.key });
    return { serialNumber: certificate.serialNumber.toLowerCase() };
  });
}
