/**
 * What only a claimed device's current owner may do: move it to another site of its tenant
 * (transfer), or release it from its site back to provisioned (unclaim), after which it needs a new
 * claim code. "Current owner" is decided by policy on the device as it is now: whoever may update
 * or claim it in its current site, i.e. a tenant admin, or an operator of that site.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventSubject } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { updateVersioned } from '../../../core/http/etag.js';
import { SitesRepository } from '../../sites/sites.repository.js';
import type { Device, LifecycleState } from '../devices.dto.js';
import { DevicesRepository } from '../devices.repository.js';
import { ClaimingRepository } from './claiming.repository.js';

const EVERYTHING = { kind: 'true' } as const;
/** Transfer moves a device that has a site; unclaim releases one that sends nothing. */
const TRANSFERABLE: readonly LifecycleState[] = ['claimed', 'active', 'suspended'];
const RELEASABLE: readonly LifecycleState[] = ['claimed', 'suspended'];

@Injectable()
export class DeviceOwnershipService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(SitesRepository) private readonly sites: SitesRepository,
    @Inject(ClaimingRepository) private readonly claiming: ClaimingRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async transfer(actor: Actor, id: string, siteId: string, expectedVersion?: number): Promise<Device> {
    return this.db.transaction(async (tx) => {
      const device = await this.loadAsOwner(actor, id, tx);
      assertState(device, TRANSFERABLE, 'transfer');
      if (device.siteId === siteId) {
        throw new AppError('conflict', { detail: 'The device is already in that site.' });
      }
      const site = await this.sites.findOne(siteId, actor.condition('read', 'Site'), tx);
      if (!site || site.tenantId !== device.tenantId) {
        throw new AppError('invalid_reference', {
          detail: 'The site does not exist or is not available to you.',
          errors: [{ location: 'body', path: 'siteId', message: 'Unknown site', code: 'invalid_reference' }],
        });
      }
      const moved = await updateVersioned('Device', device, expectedVersion ?? device.version, () =>
        this.devices.update(device.id, expectedVersion ?? device.version, { siteId: site.id }, tx),
      );
      const draft = changeDraft('device.transferred', 'Device', device, moved, {
        subject: patientOf(device),
      });
      await this.audit.record(tx, actor, {
        ...draft,
        payload: { ...draft.payload, fromSiteId: device.siteId } as typeof draft.payload,
      });
      return moved;
    });
  }

  async unclaim(actor: Actor, id: string, expectedVersion?: number): Promise<Device> {
    return this.db.transaction(async (tx) => {
      const device = await this.loadAsOwner(actor, id, tx);
      assertState(device, RELEASABLE, 'unclaim');
      const released = await updateVersioned('Device', device, expectedVersion ?? device.version, async () =>
        (await this.claiming.release(device.id, expectedVersion ?? device.version, tx))
          ? this.devices.findOne(device.id, EVERYTHING, tx)
          : null,
      );
      // A code issued before the device was claimed directly must not claim it back now.
      await this.claiming.revokeLive(device.id, tx);
      await this.audit.record(
        tx,
        actor,
        changeDraft('device.unclaimed', 'Device', device, released, {
          from: device.lifecycleState,
          to: released.lifecycleState,
          subject: patientOf(device),
        }),
      );
      return released;
    });
  }

  /**
   * The device as it is, for its owner: 404 when the caller can neither see it nor act on it, 403
   * (naming update:Device) when they see it but may neither update nor claim it where it is.
   */
  private async loadAsOwner(actor: Actor, id: string, tx: Queryable): Promise<Device> {
    const access = {
      kind: 'or' as const,
      items: [
        actor.condition('read', 'Device'),
        actor.condition('update', 'Device'),
        actor.condition('claim', 'Device'),
      ],
    };
    const device = await this.devices.findOne(id, access, tx, true);
    if (!device) throw AppError.notFound('Device');
    if (!actor.can('update', 'Device', device) && !actor.can('claim', 'Device', device)) {
      throw AppError.forbidden('update:Device');
    }
    return device;
  }
}

function assertState(device: Device, allowed: readonly LifecycleState[], action: string): void {
  if (!allowed.includes(device.lifecycleState)) {
    throw new AppError('invalid_state_transition', {
      detail: `Cannot ${action} a device that is ${device.lifecycleState}.`,
      extensions: { lifecycleState: device.lifecycleState, action },
    });
  }
}

function patientOf(device: Device): EventSubject | null {
  return device.patientId ? { kind: 'patient', tenantId: device.tenantId, id: device.patientId } : null;
}
