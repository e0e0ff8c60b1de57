/**
 * The agent tests use the platform's PKI: a device CA (`FileCertificateAuthority`) in a temporary directory
 * issues the brokers' and the platform client's TLS credentials, and certifies each simulated device the way
 * the platform does, from the CSR its emulated ATECC608A signed, checked by the platform's `verifyCsr`.
 * Tests only: the firmware itself never depends on the backend.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CertificateAuthority } from '../../../backend/src/core/pki/certificate-authority.js';
import { FileCertificateAuthority } from '../../../backend/src/core/pki/file-certificate-authority.js';
import { verifyCsr } from '../../../backend/src/modules/devices/certificates/csr.js';
import { provision, virtualChip } from '../atecc608a/testing.test-helper.js';
import { createCertificateSigningRequest } from '../pki/csr.js';
import type { TlsKeySource } from './tls-key.js';

const DAY_MS = 24 * 3600 * 1000;

export interface TestCa {
  ca: FileCertificateAuthority;
  /** Deletes the CA's files. */
  remove(): Promise<void>;
}

/** A device CA of its own (root and issuing CA), created in a fresh temporary directory. */
export async function temporaryCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(tmpdir(), 'custos-agent-ca-'));
  return {
    ca: await FileCertificateAuthority.open(path.join(dir, 'ca')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface SimulatedDevice {
  deviceId: string;
  /** PEM: the device certificate, then the issuing CA and the root. */
  certificate: string;
  key: TlsKeySource;
  /** A new key in `slot` (1–4 allow GenKey after the data lock), a CSR, a certificate: a rotation. */
  rotate(slot: number): Promise<{ certificate: string; key: TlsKeySource }>;
}

/** A provisioned emulated chip whose slot 0 key has a certificate issued from its own CSR. */
export async function simulatedDevice(
  ca: CertificateAuthority,
  deviceId: string = randomUUID(),
): Promise<SimulatedDevice> {
  const { chip, emulator } = virtualChip();
  await provision(chip);
  const credentialsFor = async (slot: number) => {
    const csr = await createCertificateSigningRequest(chip, { slot, commonName: deviceId });
    const { publicKey } = await verifyCsr(csr.pem, deviceId);
    const now = Date.now();
    const certificate = await ca.issueDeviceCertificate({
      deviceId,
      publicKey,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + DAY_MS),
    });
    return {
      certificate: `${certificate.toString('pem')}\n${ca.chainPem}`,
      key: { kind: 'simulated', key: emulator.keyForSimulatedTls(slot) } as const,
    };
  };
  return {
    deviceId,
    ...(await credentialsFor(0)),
    async rotate(slot) {
      await chip.genKey(slot);
      return credentialsFor(slot);
    },
  };
}
