/**
 * Who in this instance watches which device, and what they may see. A telemetry message this
 * instance receives (ingest's copy or a live viewer's copy) is parsed against the device's model
 * exactly as ingest does; a point measured for a patient goes only to viewers whose policy shows
 * that patient link, as in the telemetry API. The same message may arrive twice (two matching
 * subscriptions): the last few thousand points are remembered and repeats dropped.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../../core/audit/audit-metrics.js';
import type { Actor } from '../../core/authz/actor.js';
import { BackendMqtt } from '../../core/mqtt/backend-mqtt.js';
import type { DeferredMessage } from '../../core/mqtt/deferred-acks.js';
import { parseState } from '../devices/commands/device-messages.js';
import type { Device } from '../devices/devices.dto.js';
import { DeviceDirectory } from '../telemetry/device-directory.js';
import { deviceIdOf, parseTelemetry } from '../telemetry/telemetry-message.js';

export interface Viewer {
  actor: Actor;
  send(message: object): void;
}

const SEEN_LIMIT = 5_000;
const HOUR_MS = 3600 * 1000;

@Injectable()
export class LiveHub implements OnModuleInit {
  private readonly viewers = new Map<string, Map<Viewer, Device>>();
  private readonly seen = new Set<string>();
  private readonly delivered: Counter;
  readonly connections: Gauge;

  constructor(
    @Inject(BackendMqtt) private readonly mqtt: BackendMqtt,
    @Inject(DeviceDirectory) private readonly directory: DeviceDirectory,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.delivered = new Counter({
      name: 'custos_live_messages_total',
      help: 'Telemetry and state messages pushed to live viewers',
      registers: [registry],
    });
    this.connections = new Gauge({
      name: 'custos_live_connections',
      help: 'Open live-channel connections in this instance',
      registers: [registry],
    });
  }

  onModuleInit(): void {
    this.mqtt.observe('telemetry', (message) => void this.onTelemetry(message));
    this.mqtt.observe('state', (message) => this.onState(message));
  }

  /** `device` as the viewer may read it (loaded with their policy). */
  add(viewer: Viewer, device: Device): void {
    let watchers = this.viewers.get(device.id);
    if (!watchers) {
      watchers = new Map();
      this.viewers.set(device.id, watchers);
      this.mqtt.watch(`devices/${device.id}/telemetry`);
      this.mqtt.watch(`devices/${device.id}/state`);
    }
    watchers.set(viewer, device);
  }

  remove(viewer: Viewer, deviceId: string): void {
    const watchers = this.viewers.get(deviceId);
    if (!watchers?.delete(viewer) || watchers.size > 0) return;
    this.viewers.delete(deviceId);
    this.mqtt.unwatch(`devices/${deviceId}/telemetry`);
    this.mqtt.unwatch(`devices/${deviceId}/state`);
  }

  private async onTelemetry(message: DeferredMessage): Promise<void> {
    const deviceId = deviceIdOf(message.topic);
    const watchers = deviceId ? this.viewers.get(deviceId) : undefined;
    if (!deviceId || !watchers) return;
    const facts = (await this.directory.lookup([deviceId])).get(deviceId);
    const parsed = parseTelemetry(facts, message.payload, {
      now: Date.now(),
      maxAgeMs: HOUR_MS,
      maxAheadMs: 5 * 60 * 1000,
    });
    if (!parsed.ok) return;
    const { row } = parsed;
    const key = `${row.deviceId}|${row.measuredAt}|${row.seq}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
    const point = {
      type: 'telemetry',
      deviceId,
      measuredAt: row.measuredAt,
      seq: row.seq,
      metrics: row.metrics,
    };
    for (const [viewer, device] of watchers) {
      if (
        row.patientId &&
        !('patientId' in viewer.actor.visible('Device', { ...device, patientId: row.patientId }))
      ) {
        continue;
      }
      viewer.send(point);
      this.delivered.inc();
    }
  }

  private onState(message: DeferredMessage): void {
    const deviceId = /^devices\/([^/]+)\/state$/.exec(message.topic)?.[1];
    const watchers = deviceId ? this.viewers.get(deviceId) : undefined;
    const report = watchers ? parseState(message.payload) : undefined;
    if (!watchers || !report) return;
    for (const viewer of watchers.keys()) {
      viewer.send({ type: 'state', deviceId, online: report.online, reported: report.reported ?? {} });
      this.delivered.inc();
    }
  }
}
