/**
 * Refused device messages go into the audit trail as `device.telemetry_rejected`, but a faulty or
 * hostile device can send thousands a second: one event per device and reason per window, carrying
 * how many were refused since the previous one. (The exact counts are also in the metrics.)
 */
import type { DeviceAuthor, EventAuthor, EventDraft } from '../../core/audit/audit-recorder.js';
import type { RejectionReason } from './telemetry-message.js';

export interface Rejection {
  topic: string;
  reason: RejectionReason;
  /** Known when the topic names a registered device. */
  device?: { id: string; tenantId: string };
  /** The id the topic carries, even when no such device exists. */
  topicDeviceId?: string;
}

const MAX_KEYS = 10_000;

export class RejectionAudit {
  private readonly windows = new Map<string, { openedAt: number; pending: number }>();

  constructor(private readonly windowMs = 60_000) {}

  /** The events to record for these rejections now; the rest are counted into later events. */
  drafts(rejections: readonly Rejection[], now = Date.now()): { author: EventAuthor; draft: EventDraft }[] {
    const batch = new Map<string, { rejection: Rejection; count: number }>();
    for (const rejection of rejections) {
      const key = `${rejection.topicDeviceId ?? rejection.topic}|${rejection.reason}`;
      const entry = batch.get(key);
      if (entry) entry.count += 1;
      else batch.set(key, { rejection, count: 1 });
    }
    const out: { author: EventAuthor; draft: EventDraft }[] = [];
    for (const [key, { rejection, count }] of batch) {
      const window = this.windows.get(key);
      if (window && now - window.openedAt < this.windowMs) {
        window.pending += count;
        continue;
      }
      const total = count + (window?.pending ?? 0);
      if (!window && this.windows.size >= MAX_KEYS)
        this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, { openedAt: now, pending: 0 });
      out.push({ author: authorOf(rejection), draft: draftOf(rejection, total) });
    }
    return out;
  }
}

function authorOf(rejection: Rejection): EventAuthor {
  return rejection.device ? ({ device: rejection.device } satisfies DeviceAuthor) : 'system';
}

function draftOf(rejection: Rejection, count: number): EventDraft<'device.telemetry_rejected'> {
  return {
    type: 'device.telemetry_rejected',
    outcome: 'denied',
    resource: {
      type: 'Device',
      id: rejection.device?.id ?? rejection.topicDeviceId ?? null,
      tenantId: rejection.device?.tenantId ?? null,
    },
    payload: { reason: rejection.reason, count, topic: rejection.topic.slice(0, 256) },
  };
}
