/** The device registry's rules: who may see and change which device, and how a device moves through its lifecycle. */

import type { Action } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventSubject } from '../../core/audit/audit-recorder.js';
import { changeDraft, readDraft } from '../../core/audit/change-events.js';
import type { Actor } from '../../core/authz/actor.js';
import { Database, type Queryable } from '../../core/database/database.js';
import { AppError } from '../../core/errors/app-error.js';
import { updateVersioned } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import { presentPage } from '../../core/http/present.js';
import { SitesRepository } from '../sites/sites.repository.js';
import { DeviceRevocation } from './certificates/device-revocation.js';
import type {
  Device,
  DeviceSummary,
  ListDevicesQuery,
  RegisterDeviceBody,
  UpdateDeviceBody,
} from './devices.dto.js';
import { type LifecycleAction, lifecycleActions, lifecycleEvents, nextState } from './devices.lifecycle.js';
import { DevicesRepository } from './devices.repository.js';

@Injectable()
export class DevicesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(SitesRepository) private readonly sites: SitesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(DeviceRevocation) private readonly revocation: DeviceRevocation,
  ) {}

  async list(actor: Actor, query: ListDevicesQuery): Promise<Page<Partial<Device>>> {
    const page = await this.devices.list(
      actor.condition('read', 'Device'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    const presented = presentPage(actor, 'Device', page);
    await this.recordHealthReads(actor, 'device.listed', presented.items);
    return presented;
  }

  async get(actor: Actor, id: string): Promise<Device> {
    const device = await actor.load('read', 'Device', (access) => this.devices.findOne(id, access));
    await this.recordHealthReads(actor, 'device.read', [actor.visible('Device', device)]);
    return device;
  }

  /** Fleet status for a dashboard: counts only, so no health data and no read event. */
  async summary(actor: Actor): Promise<DeviceSummary> {
    const byState = await this.devices.countByState(actor.condition('read', 'Device'));
    return { total: Object.values(byState).reduce((sum, n) => sum + n, 0), byState };
  }

  /**
   * The lifecycle actions the caller may take on this device now: allowed by policy and valid from
   * its current state. User interfaces show exactly these, so no role logic is duplicated there.
   */
  async availableActions(actor: Actor, id: string): Promise<{ actions: LifecycleAction[] }> {
    const device = await this.devices.findOne(id, actor.condition('read', 'Device'));
    if (!device) throw AppError.notFound('Device');
    const actions = lifecycleActions.filter(
      (action) =>
        nextState(action, device.lifecycleState) !== undefined && actor.can(action, 'Device', device),
    );
    return { actions };
  }

  async register(actor: Actor, body: RegisterDeviceBody): Promise<Device> {
    const tenantId = actor.tenantFor(body.tenantId);
    const candidate = {
      tenantId,
      serialNumber: body.serialNumber,
      model: body.model,
      firmwareVersion: body.firmwareVersion ?? null,
      labels: body.labels ?? {},
      dataCategory: body.dataCategory ?? 'operational',
    };
    actor.assert('create', 'Device', {
      ...candidate,
      siteId: null,
      patientId: null,
      lifecycleState: 'manufactured',
    });
    return this.db.transaction(async (tx) => {
      const device = await this.devices.insert(candidate, tx);
      await this.audit.record(tx, actor, changeDraft('device.registered', 'Device', null, device));
      return device;
    });
  }

  async update(actor: Actor, id: string, expectedVersion: number, change: UpdateDeviceBody): Promise<Device> {
    return this.db.transaction(async (tx) => {
      const device = await this.findForAction(actor, id, 'update', tx);
      if (device.lifecycleState === 'decommissioned') {
        throw new AppError('invalid_state_transition', {
          detail: 'A decommissioned device cannot be changed.',
          extensions: { lifecycleState: device.lifecycleState },
        });
      }
      const updated = await this.applyChange(device, expectedVersion, change, tx);
      await this.audit.record(
        tx,
        actor,
        changeDraft('device.updated', 'Device', device, updated, { subject: patientOf(updated, device) }),
      );
      return updated;
    });
  }

  async transition(
    actor: Actor,
    id: string,
    action: LifecycleAction,
    expectedVersion: number | undefined,
    options: { siteId?: string } = {},
  ): Promise<Device> {
    const updated = await this.db.transaction(async (tx) => {
      const device = await this.findForAction(actor, id, action, tx);
      const to = nextState(action, device.lifecycleState);
      if (!to) {
        throw new AppError('invalid_state_transition', {
          detail: `Cannot ${action} a device that is ${device.lifecycleState}.`,
          extensions: { lifecycleState: device.lifecycleState, action },
        });
      }
      if (action === 'claim') await this.assertClaimTarget(actor, device, options.siteId as string, tx);
      const updated = await this.applyChange(
        device,
        expectedVersion ?? device.version,
        { lifecycleState: to, siteId: options.siteId },
        tx,
      );
      await this.audit.record(
        tx,
        actor,
        changeDraft(lifecycleEvents[action], 'Device', device, updated, {
          from: device.lifecycleState,
          to,
          subject: patientOf(updated, device),
        }),
      );
      // A decommissioned device must never connect again: its certificates go into the CRL.
      if (action === 'decommission') await this.revocation.revokeAllInTransaction(tx, actor, device);
      return updated;
    });
    if (action === 'decommission') await this.revocation.publish([id]);
    return updated;
  }

  /**
   * Reads that revealed which patient a device monitors are health-data disclosures: one event per
   * patient, so each patient's accounting of disclosures is a query on their pseudonym.
   */
  private async recordHealthReads(
    actor: Actor,
    type: 'device.read' | 'device.listed',
    visible: Partial<Device>[],
  ): Promise<void> {
    const byPatient = new Map<string, { tenantId: string | null; ids: string[] }>();
    for (const device of visible) {
      if (!device.patientId || !device.id) continue;
      // A patient reading their own device is not shown its tenant, which is theirs: the event's
      // subject must be the patient's pseudonym in that tenant, or erasure would miss the event.
      const tenantId = device.tenantId ?? actor.principal.tenantId ?? null;
      const entry = byPatient.get(device.patientId) ?? { tenantId, ids: [] };
      entry.ids.push(device.id);
      byPatient.set(device.patientId, entry);
    }
    if (byPatient.size === 0) return;
    await this.audit.recordDurably(
      actor,
      ...[...byPatient].map(([patientId, { tenantId, ids }]) =>
        readDraft(type, 'Device', ids, tenantId, { kind: 'patient', tenantId, id: patientId }, { patientId }),
      ),
    );
  }

  private findForAction(actor: Actor, id: string, action: Action, tx: Queryable): Promise<Device> {
    return actor.load(action, 'Device', (access) => this.devices.findOne(id, access, tx, true));
  }

  /** Claiming into a site the actor cannot see, or of another tenant, is refused as a bad reference. */
  private async assertClaimTarget(
    actor: Actor,
    device: Device,
    siteId: string,
    tx: Queryable,
  ): Promise<void> {
    const site = await this.sites.findOne(siteId, actor.condition('read', 'Site'), tx);
    if (!site || site.tenantId !== device.tenantId) {
      throw new AppError('invalid_reference', {
        detail: 'The site does not exist or is not available to you.',
        errors: [{ location: 'body', path: 'siteId', message: 'Unknown site', code: 'invalid_reference' }],
      });
    }
  }

  private async applyChange(
    device: Device,
    expectedVersion: number,
    change: Parameters<DevicesRepository['update']>[2],
    tx: Queryable,
  ): Promise<Device> {
    return updateVersioned('Device', device, expectedVersion, () =>
      this.devices.update(device.id, expectedVersion, change, tx),
    );
  }
}

/** The patient a device change concerns (after the change, else before it). */
function patientOf(after: Device, before: Device): EventSubject | null {
  const patientId = after.patientId ?? before.patientId;
  return patientId ? { kind: 'patient', tenantId: after.tenantId, id: patientId } : null;
}
