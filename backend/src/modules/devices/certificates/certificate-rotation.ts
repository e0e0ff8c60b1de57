/**
 * Certificate rotation before expiry, with a new CSR from the chip. The platform asks
 * (`renew-certificate`), the device answers with a CSR its chip signed (same key, which never
 * leaves the chip), the device CA issues a new certificate, the platform sends it
 * (`install-certificate`), the device reconnects with it and says so, and only then are its older
 * certificates revoked as superseded. Every step is a tracked command; a job starts rotations for
 * certificates that expire within DEVICE_CERT_RENEW_BEFORE_DAYS and restarts any that stalled.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { sql } from 'slonik';
import { z } from 'zod';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { APP_LOGGER, CERTIFICATE_AUTHORITY } from '../../../core/core.tokens.js';
import { Database } from '../../../core/database/database.js';
import { type PeriodicJob, runPeriodically } from '../../../core/jobs/periodic.js';
import type { CertificateAuthority } from '../../../core/pki/certificate-authority.js';
import { fingerprintSha256 } from '../../../core/pki/x509.js';
import { CommandOutcomes } from '../commands/command-outcomes.js';
import { type CommandRow, CommandsRepository } from '../commands/commands.repository.js';
import { CommandsService } from '../commands/commands.service.js';
import { verifyCsr } from './csr.js';
import { DeviceCertificatesRepository } from './device-certificates.repository.js';
import { DeviceRevocation } from './device-revocation.js';

export const RENEW_CERTIFICATE = 'renew-certificate';
export const INSTALL_CERTIFICATE = 'install-certificate';
const DAY_MS = 24 * 3600 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;
const SWEEP_MS = 60_000;
const STEP_TIMEOUT_SECONDS = 600;

const csrAnswer = z.object({ csr: z.string().max(8192) });
const installParams = z.object({ serialNumber: z.string() });

@Injectable()
export class CertificateRotation implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private job: PeriodicJob | undefined;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(CERTIFICATE_AUTHORITY) private readonly ca: CertificateAuthority,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(CommandsService) private readonly sender: CommandsService,
    @Inject(CommandOutcomes) private readonly outcomes: CommandOutcomes,
    @Inject(DeviceCertificatesRepository) private readonly certificates: DeviceCertificatesRepository,
    @Inject(DeviceRevocation) private readonly revocation: DeviceRevocation,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  onModuleInit(): void {
    this.outcomes.listen(RENEW_CERTIFICATE, (command) => this.onCsr(command));
    this.outcomes.listen(INSTALL_CERTIFICATE, (command) => this.onInstalled(command));
  }

  onApplicationBootstrap(): void {
    this.job = runPeriodically(
      SWEEP_MS,
      () => this.sweep(),
      (error) => this.logger.warn({ err: { message: error.message } }, 'certificate rotation sweep failed'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** Starts a rotation now; `requestedBy` is the user who asked, or the platform. */
  async start(device: { id: string; tenantId: string }, requestedBy: string): Promise<CommandRow> {
    const command = await this.commands.insert({
      deviceId: device.id,
      tenantId: device.tenantId,
      name: RENEW_CERTIFICATE,
      params: {},
      requestedBy,
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
    });
    return this.sender.publish(command);
  }

  /** Starts rotations for active devices whose newest certificate expires soon; returns how many. */
  async sweep(): Promise<number> {
    const due = await this.db.pool.any(sql.type(z.object({ id: z.string(), tenantId: z.string() }))`
      SELECT d.id, d.tenant_id AS "tenantId" FROM devices d
      WHERE d.lifecycle_state = 'active'
        AND (SELECT max(c.not_after) FROM device_certificates c
             WHERE c.device_id = d.id AND c.revoked_at IS NULL)
            < now() + make_interval(days => ${this.config.DEVICE_CERT_RENEW_BEFORE_DAYS})
        AND NOT EXISTS (SELECT 1 FROM device_commands m
                        WHERE m.device_id = d.id AND m.name IN (${RENEW_CERTIFICATE}, ${INSTALL_CERTIFICATE})
                          AND m.status IN ('queued', 'delivered'))
      LIMIT 100`);
    for (const device of due) await this.start(device, 'custos:rotation');
    return due.length;
  }

  /** The device sent a CSR: certify it and send the certificate. */
  private async onCsr(command: CommandRow): Promise<void> {
    const answer = csrAnswer.safeParse(command.result);
    if (command.status !== 'acknowledged' || !answer.success) return;
    const csr = await verifyCsr(answer.data.csr, command.deviceId);
    const now = Date.now();
    const issued = await this.ca.issueDeviceCertificate({
      deviceId: command.deviceId,
      publicKey: csr.publicKey,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + this.config.DEVICE_CERT_VALIDITY_DAYS * DAY_MS),
    });
    const certificate = await this.db.transaction(async (tx) => {
      const stored = await this.certificates.insert(
        {
          serialNumber: issued.serialNumber.toLowerCase(),
          deviceId: command.deviceId,
          tenantId: command.tenantId,
          fingerprintSha256: await fingerprintSha256(issued),
          publicKeySha256: csr.publicKeySha256,
          certificatePem: issued.toString('pem'),
          notBefore: issued.notBefore,
          notAfter: issued.notAfter,
        },
        tx,
      );
      await this.audit.record(tx, 'system', {
        type: 'device.certificate_issued',
        resource: { type: 'Device', id: command.deviceId, tenantId: command.tenantId },
        payload: {
          serialNumber: stored.serialNumber,
          fingerprintSha256: stored.fingerprintSha256,
          notAfter: stored.notAfter,
          purpose: 'rotation',
        },
      });
      return stored;
    });
    const install = await this.commands.insert({
      deviceId: command.deviceId,
      tenantId: command.tenantId,
      name: INSTALL_CERTIFICATE,
      params: {
        serialNumber: certificate.serialNumber,
        certificate: `${certificate.certificatePem}\n${this.ca.chainPem}`,
      },
      requestedBy: 'custos:rotation',
      timeoutSeconds: STEP_TIMEOUT_SECONDS,
    });
    await this.sender.publish(install);
  }

  /** The device reconnected with the new certificate: revoke the ones it replaced. */
  private async onInstalled(command: CommandRow): Promise<void> {
    const params = installParams.safeParse(command.params);
    if (command.status !== 'acknowledged' || !params.success) return;
    const superseded = await this.db.transaction(async (tx) => {
      const revoked = await this.certificates.revokeOthers(command.deviceId, params.data.serialNumber, tx);
      if (revoked.length > 0) {
        await this.audit.record(
          tx,
          'system',
          ...revoked.map((certificate) => ({
            type: 'device.certificate_revoked' as const,
            resource: { type: 'Device', id: command.deviceId, tenantId: command.tenantId },
            payload: { serialNumber: certificate.serialNumber, reason: 'superseded' },
          })),
        );
      }
      return revoked.length;
    });
    // The CRL only: the device is connected with its new certificate under the same identity.
    if (superseded > 0) await this.revocation.publish([]);
  }
}
