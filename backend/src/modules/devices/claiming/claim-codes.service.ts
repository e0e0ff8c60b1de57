/**
 * Claiming a device with the code on its sticker. Issuing: whoever provisions a device prints a
 * fresh one-time code (the old one stops working). Redeeming: a user who may claim devices types or
 * scans serial number and code; the device is looked up in their own tenant only, the code checked
 * in constant time, and the claim written with the code marked used, in one transaction with its
 * audit events. Every refusal is recorded with its reason and counts against the device's live code
 * and against the user, committed even though the request fails.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import QRCode from 'qrcode';
import { AuditRecorder, type EventSubject } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { SitesRepository } from '../../sites/sites.repository.js';
import type { Device } from '../devices.dto.js';
import { DevicesRepository } from '../devices.repository.js';
import {
  claimUrl,
  generateClaimCode,
  hashClaimCode,
  newSalt,
  normaliseClaimCode,
  sameDigest,
} from './claim-code.js';
import { USER_FAILURE_LIMIT } from './claim-limits.js';
import { invalidClaimCode, type Refusal, type RefusalReason, tooManyAttempts } from './claim-refusal.js';
import type { IssuedClaimCode, RedeemClaimBody } from './claiming.dto.js';
import { ClaimingRepository, type StoredCode } from './claiming.repository.js';
import {
  type PossessionVerdict,
  PROOF_OF_POSSESSION,
  type ProofOfPossession,
} from './proof-of-possession.js';

const EVERYTHING = { kind: 'true' } as const;
/** States in which a device may get a sticker: before it is claimed (again). */
const ISSUABLE = new Set<Device['lifecycleState']>(['manufactured', 'provisioned']);

@Injectable()
export class ClaimCodesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(SitesRepository) private readonly sites: SitesRepository,
    @Inject(ClaimingRepository) private readonly claiming: ClaimingRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Optional() @Inject(PROOF_OF_POSSESSION) private readonly possession?: ProofOfPossession,
  ) {}

  async issue(actor: Actor, deviceId: string): Promise<IssuedClaimCode> {
    const code = generateClaimCode();
    const salt = newSalt();
    return this.db.transaction(async (tx) => {
      const device = await actor.load('provision', 'Device', (access) =>
        this.devices.findOne(deviceId, access, tx, true),
      );
      if (!ISSUABLE.has(device.lifecycleState)) {
        throw new AppError('invalid_state_transition', {
          detail: `A device that is ${device.lifecycleState} cannot get a claim code; release it first.`,
          extensions: { lifecycleState: device.lifecycleState },
        });
      }
      const replaced = await this.claiming.revokeLive(device.id, tx);
      const issued = await this.claiming.insert(
        {
          deviceId: device.id,
          tenantId: device.tenantId,
          salt,
          hash: hashClaimCode(salt, normaliseClaimCode(code)),
          createdBy: actor.principal.userId,
          validityDays: this.config.DEVICE_CLAIM_CODE_VALIDITY_DAYS,
        },
        tx,
      );
      await this.audit.record(tx, actor, {
        type: 'device.claim_code_issued',
        resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
        payload: { claimCodeId: issued.id, expiresAt: issued.expiresAt, replaced },
      });
      const url = claimUrl(this.config.WEB_PUBLIC_URL, device.serialNumber, code);
      return {
        deviceId: device.id,
        serialNumber: device.serialNumber,
        code,
        claimUrl: url,
        // Rendered here so the sticker printer needs nothing else; error correction M survives
        // a scuffed label (15% of the modules).
        qrSvg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
        createdAt: issued.createdAt,
        expiresAt: issued.expiresAt,
      };
    });
  }

  async redeem(actor: Actor, body: RedeemClaimBody): Promise<Device> {
    const tenantId = actor.principal.tenantId;
    // Nobody without any claim rule learns anything, not even how their attempt would have gone.
    if (!tenantId || actor.condition('claim', 'Device').kind === 'false') {
      throw AppError.forbidden('claim:Device');
    }
    const possession = await this.provePossessionFirst(tenantId, body);
    const outcome = await this.db.transaction(async (tx) => {
      const checked = await this.checkCode(actor, tenantId, body, tx);
      const result =
        'reason' in checked ? checked : await this.claim(actor, checked, body.siteId, possession, tx);
      if ('reason' in result) await this.recordRefusal(tx, actor, tenantId, body, result);
      return result;
    });
    if ('reason' in outcome) {
      throw outcome.error.audited();
    }
    return outcome.device;
  }

  /**
   * Before the claim's transaction (a device's answer arrives through another connection, maybe
   * another instance): when the code matches a live code of a claimable device, ask the device to
   * prove it holds its key. Nothing is counted or locked here; the transaction then checks
   * everything again, throttles included, and uses this verdict. Without a matching code no
   * challenge is sent, so a serial number alone cannot make a device sign anything.
   */
  private async provePossessionFirst(
    tenantId: string,
    body: RedeemClaimBody,
  ): Promise<PossessionVerdict | undefined> {
    if (!this.possession) return undefined;
    const id = await this.claiming.deviceIdBySerial(tenantId, body.serialNumber, this.db.pool);
    const device = id ? await this.devices.findOne(id, EVERYTHING) : null;
    if (!device || device.lifecycleState !== 'provisioned') return undefined;
    const codes = await this.claiming.recentCodes(device.id, this.db.pool);
    const live = codes.find((c) => !c.used && !c.revoked && !c.expired && c.lockedSeconds === 0);
    if (!live || matchingCode(codes, normaliseClaimCode(body.code)) !== live) return undefined;
    return this.possession.verify(device);
  }

  /** The throttles, then the code: either the device and its matching live code, or a refusal. */
  private async checkCode(
    actor: Actor,
    tenantId: string,
    body: RedeemClaimBody,
    tx: Queryable,
  ): Promise<Refusal | { device: Device; code: StoredCode }> {
    const userId = actor.principal.userId;
    const window = await this.claiming.lockUserWindow(userId, tx);
    if (window.failures >= USER_FAILURE_LIMIT) {
      return { reason: 'too_many_failures', error: tooManyAttempts(window.retryAfter), device: null };
    }
    const deviceId = await this.claiming.lockDeviceBySerial(tenantId, body.serialNumber, tx);
    const codes = deviceId ? await this.claiming.recentCodes(deviceId, tx) : [];
    const live = codes.find((c) => !c.used && !c.revoked);
    const device = deviceId ? { id: deviceId, tenantId } : null;
    if (live && live.lockedSeconds > 0) {
      const error = tooManyAttempts(live.lockedSeconds);
      return { reason: 'device_locked', error, device, claimCodeId: live.id, attempts: live.attempts };
    }
    const match = matchingCode(codes, normaliseClaimCode(body.code));
    if (deviceId && match && match === live && !match.expired) {
      const found = await this.devices.findOne(deviceId, EVERYTHING, tx);
      if (found) return { device: found, code: match };
    }
    await this.claiming.countUserFailure(userId, tx);
    const attempts = live ? await this.claiming.countGuess(live.id, tx) : undefined;
    const reason: RefusalReason = !device
      ? 'unknown_serial'
      : !match
        ? 'wrong_code'
        : match.used
          ? 'code_used'
          : match.revoked
            ? 'code_superseded'
            : 'code_expired';
    return {
      reason,
      error: invalidClaimCode(),
      device,
      ...(match ? { claimCodeId: match.id } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
    };
  }

  /** The code matched: the device must be claimable, by this user, into a site they can see. */
  private async claim(
    actor: Actor,
    { device, code }: { device: Device; code: StoredCode },
    siteId: string,
    possession: PossessionVerdict | undefined,
    tx: Queryable,
  ): Promise<Refusal | { device: Device }> {
    const refuse = (reason: RefusalReason, error: AppError): Refusal => ({
      reason,
      error,
      device,
      claimCodeId: code.id,
    });
    if (device.lifecycleState !== 'provisioned') {
      return refuse(
        'not_claimable',
        new AppError('invalid_state_transition', {
          detail: `Cannot claim a device that is ${device.lifecycleState}.`,
          extensions: { lifecycleState: device.lifecycleState, action: 'claim' },
        }),
      );
    }
    // A 403 here is recorded by the problem filter (denied, under this route's event type).
    actor.assert('claim', 'Device', device);
    const site = await this.sites.findOne(siteId, actor.condition('read', 'Site'), tx);
    if (!site || site.tenantId !== device.tenantId) {
      return refuse(
        'site_unavailable',
        new AppError('invalid_reference', {
          detail: 'The site does not exist or is not available to you.',
          errors: [{ location: 'body', path: 'siteId', message: 'Unknown site', code: 'invalid_reference' }],
        }),
      );
    }
    if (this.possession) {
      // No verdict: the code did not match before the transaction (it was issued meanwhile).
      const verdict = possession ?? { proven: false, reason: 'possession_not_proven' };
      if (!verdict.proven) return refuse(verdict.reason, invalidClaimCode());
    }
    const updated = await this.devices.update(
      device.id,
      device.version,
      { lifecycleState: 'claimed', siteId: site.id },
      tx,
    );
    // The device row is locked since the lookup: its version cannot have moved.
    if (!updated) throw new AppError('conflict', { detail: 'The device changed during the claim.' });
    await this.claiming.markUsed(code.id, actor.principal.userId, tx);
    await this.audit.record(
      tx,
      actor,
      changeDraft('device.claimed', 'Device', device, updated, {
        from: device.lifecycleState,
        to: updated.lifecycleState,
        subject: patientOf(device),
      }),
      {
        type: 'device.claim_code_redeemed',
        resource: { type: 'Device', id: device.id, tenantId: device.tenantId },
        payload: { claimCodeId: code.id, serialNumber: device.serialNumber },
      },
    );
    return { device: updated };
  }

  private async recordRefusal(
    tx: Queryable,
    actor: Actor,
    tenantId: string,
    body: RedeemClaimBody,
    refusal: Refusal,
  ): Promise<void> {
    await this.audit.record(tx, actor, {
      type: 'device.claim_code_redeemed',
      outcome: 'denied',
      resource: {
        type: 'Device',
        id: refusal.device?.id ?? null,
        tenantId: refusal.device?.tenantId ?? tenantId,
      },
      payload: {
        reason: refusal.reason,
        serialNumber: body.serialNumber,
        ...(refusal.claimCodeId ? { claimCodeId: refusal.claimCodeId } : {}),
        ...(refusal.attempts !== undefined ? { attempts: refusal.attempts } : {}),
        error: { code: refusal.error.code, status: refusal.error.status },
      },
    });
  }
}

/**
 * The stored code the typed one matches, if any. Every candidate is hashed and compared in constant
 * time, and an unknown serial number still costs one hash, so timing tells little about the rows.
 */
function matchingCode(codes: StoredCode[], typed: string): StoredCode | undefined {
  let match: StoredCode | undefined;
  for (const code of codes) {
    if (sameDigest(hashClaimCode(code.salt, typed), code.hash) && !match) match = code;
  }
  if (codes.length === 0) hashClaimCode(Buffer.alloc(16), typed);
  return match;
}

function patientOf(device: Device): EventSubject | null {
  return device.patientId ? { kind: 'patient', tenantId: device.tenantId, id: device.patientId } : null;
}
