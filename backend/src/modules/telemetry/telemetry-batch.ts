/**
 * Turns a batch of MQTT messages into one transaction: look up the devices, parse every message,
 * insert the good rows idempotently and record the audit events for the refused ones, commit, and
 * only then acknowledge every message of the batch. A failed commit acknowledges nothing (the
 * caller retries the same batch); refused messages are acknowledged after their audit event
 * committed, since resending them could never succeed.
 */
import type { AuditRecorder } from '../../core/audit/audit-recorder.js';
import type { Database } from '../../core/database/database.js';
import type { DeferredMessage } from '../../core/mqtt/deferred-acks.js';
import type { DeviceDirectory } from './device-directory.js';
import type { Rejection, RejectionAudit } from './rejection-audit.js';
import type { TelemetryRepository } from './telemetry.repository.js';
import { deviceIdOf, parseTelemetry, type TelemetryRow } from './telemetry-message.js';

export interface BatchOutcome {
  received: number;
  inserted: number;
  duplicates: number;
  rejected: Rejection[];
}

export interface BatchDependencies {
  db: Database;
  directory: DeviceDirectory;
  repository: TelemetryRepository;
  audit: AuditRecorder;
  rejections: RejectionAudit;
  window: { maxAgeMs: number; maxAheadMs: number };
}

export async function commitBatch(
  messages: readonly DeferredMessage[],
  deps: BatchDependencies,
  now = Date.now(),
): Promise<BatchOutcome> {
  const ids = messages.map((m) => deviceIdOf(m.topic)).filter((id): id is string => id !== undefined);
  const devices = await deps.directory.lookup(ids, now);
  const rows: TelemetryRow[] = [];
  const rejected: Rejection[] = [];
  for (const message of messages) {
    const topicDeviceId = deviceIdOf(message.topic);
    if (!topicDeviceId) {
      rejected.push({ topic: message.topic, reason: 'unknown_topic' });
      continue;
    }
    const device = devices.get(topicDeviceId);
    const parsed = parseTelemetry(device, message.payload, { now, ...deps.window });
    if (parsed.ok) rows.push(parsed.row);
    else {
      rejected.push({
        topic: message.topic,
        reason: parsed.reason,
        topicDeviceId,
        device: device && { id: device.id, tenantId: device.tenantId },
      });
    }
  }
  // Counted into the throttle windows even if the commit then fails: a retried batch may then
  // report its refusals in the next window's event rather than twice.
  const events = deps.rejections.drafts(rejected, now);
  const inserted = await deps.db.transaction(async (tx) => {
    const count = await deps.repository.insert(rows, tx);
    for (const { author, draft } of events) await deps.audit.record(tx, author, draft);
    return count;
  });
  for (const message of messages) message.acknowledge();
  return {
    received: messages.length,
    inserted,
    duplicates: rows.length - inserted,
    rejected,
  };
}
