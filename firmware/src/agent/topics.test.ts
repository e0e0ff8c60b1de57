import { describe, expect, it } from 'vitest';
import { deviceTopics } from './topics.js';

describe('deviceTopics', () => {
  it('is the public contract: devices/{id}/telemetry, state, commands, commands/ack', () => {
    expect(deviceTopics('0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85')).toEqual({
      telemetry: 'devices/0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85/telemetry',
      state: 'devices/0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85/state',
      commands: 'devices/0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85/commands',
      commandAcks: 'devices/0b7c3f2e-5d41-4a8e-9c3b-2f6d1e0a9b85/commands/ack',
    });
  });

  it('refuses ids that would be wildcards or extra topic levels', () => {
    for (const id of ['', '+', '#', 'a/b', 'a\0b']) expect(() => deviceTopics(id)).toThrow(RangeError);
  });
});
