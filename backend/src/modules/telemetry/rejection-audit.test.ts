import { describe, expect, it } from 'vitest';
import { type Rejection, RejectionAudit } from './rejection-audit.js';

const device = {
  id: '5f0c5a52-5f7e-4a36-9b8a-2c1f3c9d0e11',
  tenantId: '11111111-1111-4111-8111-111111111111',
};
const topic = `devices/${device.id}/telemetry`;
const bad = (reason: Rejection['reason']): Rejection => ({ topic, reason, device, topicDeviceId: device.id });

describe('RejectionAudit', () => {
  it('records one event per device and reason per window, carrying the refusals counted meanwhile', () => {
    const audit = new RejectionAudit(60_000);
    const first = audit.drafts([bad('malformed_json'), bad('malformed_json'), bad('invalid_metrics')], 0);
    expect(first.map((e) => [e.draft.payload, e.author])).toEqual([
      [{ reason: 'malformed_json', count: 2, topic }, { device }],
      [{ reason: 'invalid_metrics', count: 1, topic }, { device }],
    ]);
    expect(
      audit.drafts([bad('malformed_json'), bad('malformed_json'), bad('malformed_json')], 30_000),
    ).toEqual([]);
    const next = audit.drafts([bad('malformed_json')], 61_000);
    expect(next.map((e) => e.draft.payload)).toEqual([{ reason: 'malformed_json', count: 4, topic }]);
  });

  it('records refusals for unregistered devices as the platform’s, without a tenant', () => {
    const [event] = new RejectionAudit().drafts(
      [{ topic, reason: 'unknown_device', topicDeviceId: device.id }],
      0,
    );
    expect(event?.author).toBe('system');
    expect(event?.draft.resource).toEqual({ type: 'Device', id: device.id, tenantId: null });
    expect(event?.draft.outcome).toBe('denied');
  });
});
