import { describe, expect, it } from 'vitest';
import { EMQX_USERNAME, emqxAclConf, mosquittoAclFile } from './broker-acl-files.js';

describe('broker ACL files', () => {
  it('writes the Mosquitto acl_file with %u patterns for devices and user lines for the backend', () => {
    const lines = mosquittoAclFile()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines).toEqual([
      'pattern write devices/%u/telemetry',
      'pattern write devices/%u/state',
      'pattern write devices/%u/commands/ack',
      'pattern read devices/%u/commands',
      'user custos-backend',
      'topic deny devices/custos-backend/#',
      'topic read devices/+/telemetry',
      'topic read devices/+/state',
      'topic read devices/+/commands/ack',
      'topic write devices/+/commands',
    ]);
  });

  it('keeps infra/emqx/acl.conf equal to the rules generated from topic-acl.ts (-u rewrites it)', async () => {
    await expect(emqxAclConf()).toMatchFileSnapshot('../../../../infra/emqx/acl.conf');
  });

  it('writes EMQX rules that end with a deny-all and restrict device rules to UUID usernames', () => {
    const rules = emqxAclConf()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(rules.at(-1)).toBe('{deny, all}.');
    for (const rule of rules.filter((r) => r.includes(EMQX_USERNAME))) {
      expect(rule).toContain('{username, {re, "^[0-9a-f]{8}-');
    }
  });
});
