/**
 * Parsing one telemetry message: the topic names the device, the payload is the envelope
 * `{"seq": n, "ts": "<ISO 8601>", "metrics": {...}}` whose metrics follow the device's model.
 * Never throws: every message becomes either a row to write or a rejection with a stable reason.
 */
import { z } from 'zod';
import { metricsSchemas } from './device-models.js';

export const MAX_PAYLOAD_BYTES = 16 * 1024;

export const rejectionReasons = [
  'unknown_topic',
  'unknown_device',
  'device_not_active',
  'payload_too_large',
  'malformed_json',
  'invalid_envelope',
  'invalid_metrics',
  'unknown_model',
  'time_out_of_range',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

const TELEMETRY_TOPIC =
  /^devices\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/telemetry$/;

const envelope = z.strictObject({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  ts: z.iso.datetime({ offset: true }),
  metrics: z.record(z.string(), z.unknown()),
});

/** What ingest knows about a device that may send telemetry. */
export interface DeviceFacts {
  id: string;
  tenantId: string;
  model: string;
  lifecycleState: string;
  patientId: string | null;
}

export interface TelemetryRow {
  deviceId: string;
  tenantId: string;
  patientId: string | null;
  measuredAt: string;
  seq: number;
  metrics: Record<string, number | boolean>;
}

export type Parsed = { ok: true; row: TelemetryRow } | { ok: false; reason: RejectionReason };

/** Devices that are in service; the others' messages are refused (and audited). */
const SENDING_STATES = new Set(['claimed', 'active']);

export function deviceIdOf(topic: string): string | undefined {
  return TELEMETRY_TOPIC.exec(topic)?.[1];
}

export function parseTelemetry(
  device: DeviceFacts | undefined,
  payload: Buffer,
  window: { now: number; maxAgeMs: number; maxAheadMs: number },
): Parsed {
  if (!device) return { ok: false, reason: 'unknown_device' };
  if (!SENDING_STATES.has(device.lifecycleState)) return { ok: false, reason: 'device_not_active' };
  if (payload.length > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'payload_too_large' };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_json' };
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid_envelope' };
  const schema = metricsSchemas.get(device.model);
  if (!schema) return { ok: false, reason: 'unknown_model' };
  const metrics = schema.safeParse(parsed.data.metrics);
  if (!metrics.success) return { ok: false, reason: 'invalid_metrics' };
  const measuredAt = Date.parse(parsed.data.ts);
  if (measuredAt < window.now - window.maxAgeMs || measuredAt > window.now + window.maxAheadMs) {
    return { ok: false, reason: 'time_out_of_range' };
  }
  return {
    ok: true,
    row: {
      deviceId: device.id,
      tenantId: device.tenantId,
      patientId: device.patientId,
      measuredAt: new Date(measuredAt).toISOString(),
      seq: parsed.data.seq,
      metrics: metrics.data,
    },
  };
}
