/**
 * Proof of possession for claims: the device's ATECC608A signs a fresh challenge with the key its
 * certificate certifies, so a photographed sticker is not enough to claim a device that is online.
 * The challenge goes out as the command `prove-possession` (recorded and tracked like any command,
 * so whichever backend instance receives the answer completes it); this instance waits for the
 * answer and checks the signature against the device's valid certificates.
 *
 * The chip signs SHA-256 of a message that names its purpose and the device
 * (`possessionMessage`), never a digest chosen by the platform: a command cannot turn the device
 * into a signing oracle for anything else (a CSR, say). firmware/src/agent/possession.ts builds the
 * same message; tests/devices/claim-possession.test.ts proves the two agree.
 */
import { randomBytes, verify as verifySignature } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { x509 } from '../../../core/pki/x509.js';
import { DeviceCertificatesRepository } from '../certificates/device-certificates.repository.js';
import { CommandsRepository } from '../commands/commands.repository.js';
import { CommandsService } from '../commands/commands.service.js';
import type { Device } from '../devices.dto.js';
import type { PossessionVerdict, ProofOfPossession } from './proof-of-possession.js';

export const PROVE_POSSESSION = 'prove-possession';
const ANSWER_WITHIN_MS = 8_000;
const POLL_MS = 100;

export function possessionMessage(deviceId: string, challenge: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`custos-possession-v1\n${deviceId}\n`), challenge]);
}

const answer = z.object({ signature: z.base64() });

@Injectable()
export class ChipPossessionVerifier implements ProofOfPossession {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CommandsRepository) private readonly commands: CommandsRepository,
    @Inject(CommandsService) private readonly sender: CommandsService,
    @Inject(DeviceCertificatesRepository) private readonly certificates: DeviceCertificatesRepository,
  ) {}

  async verify(device: Device): Promise<PossessionVerdict> {
    const mode = this.config.CLAIM_PROOF_OF_POSSESSION;
    if (mode === 'off') return { proven: true };
    const online = (await this.commands.state(device.id))?.online ?? false;
    if (!online) return mode === 'required' ? refused : { proven: true };

    const challenge = randomBytes(32);
    // Committed on its own (the pool, not the claim's transaction): the instance that receives the
    // device's answer must find the command.
    const command = await this.commands.insert({
      deviceId: device.id,
      tenantId: device.tenantId,
      name: PROVE_POSSESSION,
      params: { challenge: challenge.toString('base64') },
      requestedBy: 'custos:claim',
      timeoutSeconds: Math.ceil(ANSWER_WITHIN_MS / 1000),
    });
    await this.sender.publish(command);
    const deadline = Date.now() + ANSWER_WITHIN_MS;
    while (Date.now() < deadline) {
      const current = await this.commands.findOne(device.id, command.id);
      if (current && current.status !== 'queued' && current.status !== 'delivered') {
        return current.status === 'acknowledged' &&
          (await this.signedByDevice(device, challenge, current.result))
          ? { proven: true }
          : refused;
      }
      await sleep(POLL_MS);
    }
    return refused;
  }

  /** Whether `result.signature` (raw R||S, base64) verifies with a valid certificate of the device. */
  private async signedByDevice(device: Device, challenge: Buffer, result: unknown): Promise<boolean> {
    const parsed = answer.safeParse(result);
    if (!parsed.success) return false;
    const signature = Buffer.from(parsed.data.signature, 'base64');
    const message = possessionMessage(device.id, challenge);
    const valid = (await this.certificates.listForDevice(device.id)).filter((c) => c.status === 'active');
    for (const certificate of valid) {
      const key = Buffer.from(new x509.X509Certificate(certificate.certificatePem).publicKey.rawData);
      const ok = verifySignature(
        'sha256',
        message,
        { key, format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' },
        signature,
      );
      if (ok) return true;
    }
    return false;
  }
}

const refused: PossessionVerdict = { proven: false, reason: 'possession_not_proven' };
