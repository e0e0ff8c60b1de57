/**
 * Reading a device's telemetry. Anyone who may read the device reads its operational telemetry;
 * a point measured while the device was assigned to a patient is that patient's health data and
 * is returned only to a caller whose policy shows that patient link for that patient (the rule
 * that governs `patientId`, with its care relationship, purpose of use and what that patient said
 * about processing: restriction, objection, consent). Such reads are disclosures, audited per patient.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { readDraft } from '../../core/audit/change-events.js';
import type { Actor } from '../../core/authz/actor.js';
import type { Device } from '../devices/devices.dto.js';
import { DevicesRepository } from '../devices/devices.repository.js';
import { deviceModels } from './device-models.js';
import type { TelemetryQuery, TelemetrySeries } from './telemetry.dto.js';
import { TelemetryRepository } from './telemetry.repository.js';

const HOUR_MS = 3600 * 1000;

@Injectable()
export class TelemetryService {
  constructor(
    @Inject(DevicesRepository) private readonly devices: DevicesRepository,
    @Inject(TelemetryRepository) private readonly telemetry: TelemetryRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async series(actor: Actor, deviceId: string, query: TelemetryQuery): Promise<TelemetrySeries> {
    const device = await actor.load('read', 'Device', (access) => this.devices.findOne(deviceId, access));
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - HOUR_MS);
    const rows = await this.telemetry.range(device.id, from, to, query.limit);
    // The device carries its current patient's flags; points measured for an earlier wearer are
    // judged by that patient's own.
    const earlier = new Set(
      rows.flatMap((r) => (r.patientId && r.patientId !== device.patientId ? [r.patientId] : [])),
    );
    const flags = await this.telemetry.processingFlags(device.tenantId, [...earlier]);

    const readable = new Map<string | null, boolean>([[null, true]]);
    const mayRead = (patientId: string | null) => {
      let allowed = readable.get(patientId);
      if (allowed === undefined) {
        const asMeasured = {
          ...device,
          patientId,
          ...(patientId ? flags.get(patientId) : {}),
        } satisfies Device;
        allowed = 'patientId' in actor.visible('Device', asMeasured);
        readable.set(patientId, allowed);
      }
      return allowed;
    };
    const items = rows.filter((row) => mayRead(row.patientId));
    await this.recordDisclosures(actor, device, items);
    return {
      deviceId: device.id,
      model: device.model,
      units: unitsOf(device.model),
      from: from.toISOString(),
      to: to.toISOString(),
      items: items.map(({ measuredAt, seq, metrics }) => ({ measuredAt, seq, metrics })),
      withheld: rows.length - items.length,
    };
  }

  private async recordDisclosures(
    actor: Actor,
    device: Device,
    items: readonly { patientId: string | null }[],
  ): Promise<void> {
    const patients = new Set(items.map((i) => i.patientId).filter((p): p is string => p !== null));
    if (patients.size === 0) return;
    await this.audit.recordDurably(
      actor,
      ...[...patients].map((patientId) =>
        readDraft('device.telemetry_read', 'Device', [device.id], device.tenantId, {
          kind: 'patient',
          tenantId: device.tenantId,
          id: patientId,
        }),
      ),
    );
  }
}

function unitsOf(model: string): Record<string, string> {
  const metrics = deviceModels[model]?.metrics ?? {};
  return Object.fromEntries(
    Object.entries(metrics).flatMap(([name, metric]) =>
      metric.type === 'number' ? [[name, metric.unit]] : [],
    ),
  );
}
