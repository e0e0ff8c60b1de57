/**
 * The factory step for one device, in the order the platform requires: register the device (the platform
 * gives it its id), personalise the chip, have the chip sign a CSR whose CN is that id, and have the
 * platform's device CA certify it. Only the CSR and the public key leave the chip (DESIGN.md, principle 7).
 */
import type { Atecc608a } from '../atecc608a/driver.js';
import { createCertificateSigningRequest } from '../pki/csr.js';
import { FactoryError } from './errors.js';
import { IDENTITY_KEY_SLOT, personaliseChip } from './personalise.js';
import type { PlatformClient } from './platform-client.js';

export interface ProvisionDeviceOptions {
  serialNumber: string;
  /** A model the platform knows (backend/src/modules/telemetry/device-models.ts), e.g. `CX-Temp 2`. */
  model: string;
}

export interface ProvisionedDevice {
  deviceId: string;
  /** PEM: the device certificate, then the issuing CA and the root, as the device presents them in TLS. */
  certificateChainPem: string;
  /** The certificate's hex serial number (the one a revocation names). */
  certificateSerialNumber: string;
  /** The chip's raw P-256 public key (X||Y). */
  publicKey: Buffer;
}

/**
 * Registers, personalises and certifies one device. If anything fails after registration, the error is a
 * `FactoryError` (`provisioning_incomplete`) naming the registered device, so the line can retry it or
 * decommission it; a failed registration throws the API's error as it came.
 */
export async function provisionDevice(
  client: PlatformClient,
  chip: Atecc608a,
  { serialNumber, model }: ProvisionDeviceOptions,
): Promise<ProvisionedDevice> {
  const device = await client.registerDevice({ serialNumber, model });
  try {
    const publicKey = await personaliseChip(chip);
    const csr = await createCertificateSigningRequest(chip, {
      slot: IDENTITY_KEY_SLOT,
      commonName: device.id,
    });
    const issued = await client.requestCertificate(device.id, csr.pem);
    return {
      deviceId: device.id,
      certificateChainPem: joinPem(issued.certificatePem, issued.chainPem),
      certificateSerialNumber: issued.serialNumber,
      publicKey,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FactoryError(
      'provisioning_incomplete',
      `device ${serialNumber} (${device.id}) was registered but not provisioned: ${reason}`,
      { cause: error, deviceId: device.id },
    );
  }
}

function joinPem(...parts: string[]): string {
  return `${parts.map((part) => part.trim()).join('\n')}\n`;
}
