/**
 * Revoking device certificates. The registry row is marked in the caller's transaction with its
 * audit event; after the commit the new CRL goes to the broker and the device's open session is
 * dropped, so a revoked device is cut off at once, not at its next connection. The CRL is also
 * served at /api/v1/pki/crl for brokers that fetch it themselves.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditRecorder, type EventAuthor, type EventDraft } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { APP_LOGGER, BROKER_CONTROL, CERTIFICATE_AUTHORITY } from '../../../core/core.tokens.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { BrokerControl } from '../../../core/mqtt/broker-control.js';
import type { CertificateAuthority } from '../../../core/pki/certificate-authority.js';
import { crlPem, type x509 } from '../../../core/pki/x509.js';
import type { Device } from '../devices.dto.js';
import { DevicesRepository } from '../devices.repository.js';
import type { DeviceCertificate, RevocationReason } from './device-certificates.dto.js';
import { DeviceCertificatesRepository } from './device-certificates.repository.js';

/** Brokers that fetch the CRL must fetch a new one before this. */
const CRL_LIFETIME_MS = 7 * 24 * 3600 * 1000;

@Injectable()
export class DeviceRevocation implements OnApplicationBootstrap {
  /** The push waiting to start, and the identities it will disconnect. */
  private next: { disconnect: Set<string>; done: Promise<void>; resolve: () => void } | undefined;
  private pushing: Promise<void> | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(CERTIFICATE_AUTHORITY) private readonly ca: CertificateAuthority,
    @Inject(BROKER_CONTROL) private readonly broker: BrokerControl | null,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(DeviceCertificatesRepository) private readonly certificates: DeviceCertificatesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** A broker started with this process gets the current CRL before any device connects. */
  async onApplicationBootstrap(): Promise<void> {
    await this.publish([]);
  }

  async revoke(
    actor: Actor,
    deviceId: string,
    serialNumber: string,
    reason: RevocationReason,
  ): Promise<DeviceCertificate> {
    const revoked = await this.db.transaction(async (tx) => {
      const device = await actor.load('revoke', 'Device', (access) =>
        this.devices.findOne(deviceId, access, tx, true),
      );
      const certificate = await this.certificates.findForDevice(device.id, serialNumber, tx);
      if (!certificate) throw AppError.notFound('Certificate');
      if (certificate.revokedAt) {
        throw new AppError('invalid_state_transition', {
          detail: 'The certificate is already revoked.',
          extensions: { status: certificate.status },
        });
      }
      const [updated] = await this.certificates.revoke({ deviceId: device.id, serialNumber }, reason, tx);
      await this.audit.record(tx, actor, revokedDraft(device, updated as DeviceCertificate));
      return updated as DeviceCertificate;
    });
    await this.publish([deviceId]);
    return revoked;
  }

  /**
   * Revokes every valid certificate of a device being decommissioned, inside that transaction.
   * The caller calls `publish([device.id])` after its commit.
   */
  async revokeAllInTransaction(tx: Queryable, author: EventAuthor, device: Device): Promise<number> {
    const revoked = await this.certificates.revoke({ deviceId: device.id }, 'cessationOfOperation', tx);
    if (revoked.length > 0)
      await this.audit.record(tx, author, ...revoked.map((c) => revokedDraft(device, c)));
    return revoked.length;
  }

  /**
   * Pushes the current CRL to the broker and drops these identities' sessions; resolves once a push
   * that started after this call is done. Never throws. Calls that arrive while a push is running
   * share the next one: a batch of decommissions costs a few pushes, not one each (each push
   * rebuilds the whole CRL).
   */
  publish(disconnect: readonly string[]): Promise<void> {
    if (!this.broker) return Promise.resolve();
    if (!this.next) {
      let resolve = () => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      this.next = { disconnect: new Set(), done, resolve };
    }
    for (const identity of disconnect) this.next.disconnect.add(identity);
    const { done } = this.next;
    this.pushing ??= this.pushAll().finally(() => {
      this.pushing = undefined;
    });
    return done;
  }

  private async pushAll(): Promise<void> {
    while (this.next) {
      const batch = this.next;
      this.next = undefined;
      try {
        const crl = crlPem(await this.currentCrl());
        await this.broker?.applyRevocations({ crlPem: crl, disconnect: [...batch.disconnect] });
      } catch (error) {
        // The revocation is committed and in the CRL endpoint; the broker catches up at the next push.
        this.logger.error(
          { err: { message: (error as Error).message } },
          'revocation not applied to the broker',
        );
      }
      batch.resolve();
    }
  }

  async currentCrl(): Promise<x509.X509Crl> {
    const entries = await this.certificates.revokedUnexpired();
    return this.ca.createRevocationList(entries, new Date(Date.now() + CRL_LIFETIME_MS));
  }
}

function revokedDraft(
  device: Device,
  certificate: DeviceCertificate,
): EventDraft<'device.certificate_revoked'> {
  return {
    type: 'device.certificate_revoked',
    resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
    payload: {
      serialNumber: certificate.serialNumber,
      reason: certificate.revocationReason ?? 'unspecified',
    },
    subject: device.patientId ? { kind: 'patient', tenantId: device.tenantId, id: device.patientId } : null,
  };
}
