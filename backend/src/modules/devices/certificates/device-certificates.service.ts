/**
 * The factory provisioning step: a manufactured device's chip has generated its key and signed a
 * CSR; the platform checks the CSR, has the device CA certify the key, records the certificate and
 * moves the device to `provisioned`, all in one transaction with its audit events.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { CERTIFICATE_AUTHORITY } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { CertificateAuthority } from '../../../core/pki/certificate-authority.js';
import { fingerprintSha256 } from '../../../core/pki/x509.js';
import type { DeviceCommand } from '../commands/commands.dto.js';
import { toCommand } from '../commands/commands.repository.js';
import type { Device } from '../devices.dto.js';
import { nextState } from '../devices.lifecycle.js';
import { DevicesRepository } from '../devices.repository.js';
import { ManifestsService } from '../manifests/manifests.service.js';
import { CertificateRotation } from './certificate-rotation.js';
import { verifyCsr } from './csr.js';
import type { DeviceCertificate } from './device-certificates.dto.js';
import { DeviceCertificatesRepository } from './device-certificates.repository.js';

const DAY_MS = 24 * 3600 * 1000;
/** Tolerates devices whose clock runs a little behind the CA's. */
const BACKDATE_MS = 5 * 60 * 1000;

@Injectable()
export class DeviceCertificatesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CERTIFICATE_AUTHORITY) private readonly ca: CertificateAuthority,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(DeviceCertificatesRepository) private readonly certificates: DeviceCertificatesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(CertificateRotation) private readonly rotation: CertificateRotation,
    @Inject(ManifestsService) private readonly manifests: ManifestsService,
  ) {}

  async list(actor: Actor, deviceId: string): Promise<DeviceCertificate[]> {
    await actor.load('read', 'Device', (access) => this.devices.findOne(deviceId, access));
    return this.certificates.listForDevice(deviceId);
  }

  /** Starts a rotation for an active device (the API's manual trigger). */
  async rotate(actor: Actor, deviceId: string): Promise<DeviceCommand> {
    const device = await actor.load('provision', 'Device', (access) =>
      this.devices.findOne(deviceId, access),
    );
    if (device.lifecycleState !== 'active') {
      throw new AppError('invalid_state_transition', {
        detail: `Certificates are rotated on active devices; this one is ${device.lifecycleState}.`,
        extensions: { lifecycleState: device.lifecycleState, action: 'rotate' },
      });
    }
    const command = await this.rotation.start(device, actor.principal.userId);
    await this.audit.recordDurably(actor, {
      type: 'device.command_requested',
      resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
      payload: { commandId: command.id, name: command.name },
    });
    return toCommand(command);
  }

  async provision(
    actor: Actor,
    deviceId: string,
    csrPem: string,
  ): Promise<DeviceCertificate & { chainPem: string; preProvisioned: boolean; uniqueId: string | null }> {
    // Checked before any lock is taken: a bad CSR costs no database work.
    const csr = await verifyCsr(csrPem, deviceId);
    return this.db.transaction(async (tx) => {
      const device = await actor.load('provision', 'Device', (access) =>
        this.devices.findOne(deviceId, access, tx, true),
      );
      const to = nextState('provision', device.lifecycleState);
      if (!to) {
        throw new AppError('invalid_state_transition', {
          detail: `Cannot provision a device that is ${device.lifecycleState}.`,
          extensions: { lifecycleState: device.lifecycleState, action: 'provision' },
        });
      }
      // The chip of a signed secure-element manifest, if the tenant listed this key (matched now).
      const chip = await this.manifests.matchForProvisioning(device, csr.publicKeySha256, tx);
      const now = Date.now();
      const issued = await this.ca.issueDeviceCertificate({
        deviceId: device.id,
        publicKey: csr.publicKey,
        notBefore: new Date(now - BACKDATE_MS),
        notAfter: new Date(now + this.config.DEVICE_CERT_VALIDITY_DAYS * DAY_MS),
      });
      const certificate = await this.certificates.insert(
        {
          serialNumber: issued.serialNumber.toLowerCase(),
          deviceId: device.id,
          tenantId: device.tenantId,
          fingerprintSha256: await fingerprintSha256(issued),
          publicKeySha256: csr.publicKeySha256,
          certificatePem: issued.toString('pem'),
          notBefore: issued.notBefore,
          notAfter: issued.notAfter,
        },
        tx,
      );
      const updated = await this.devices.update(device.id, device.version, { lifecycleState: to }, tx);
      if (!updated) throw new AppError('conflict', { detail: 'The device changed during provisioning.' });
      await this.audit.record(
        tx,
        actor,
        {
          type: 'device.certificate_issued',
          resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
          payload: {
            serialNumber: certificate.serialNumber,
            fingerprintSha256: certificate.fingerprintSha256,
            notAfter: certificate.notAfter,
            purpose: 'provisioning',
            preProvisioned: chip !== null,
            ...(chip ? { uniqueId: chip.uniqueId } : {}),
          },
          subject: patientOf(device),
        },
        changeDraft('device.provisioned', 'Device', device, updated, {
          from: device.lifecycleState,
          to,
          subject: patientOf(device),
        }),
      );
      return {
        ...certificate,
        chainPem: this.ca.chainPem,
        preProvisioned: chip !== null,
        uniqueId: chip?.uniqueId ?? null,
      };
    });
  }
}

function patientOf(device: Device) {
  return device.patientId
    ? { kind: 'patient' as const, tenantId: device.tenantId, id: device.patientId }
    : null;
}
