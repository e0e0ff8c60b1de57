/**
 * The rules of topic-acl.ts, written in the ACL languages of the external brokers: Mosquitto 2.0's
 * `acl_file` (the test broker) and EMQX 5's `acl.conf` (production, `infra/emqx/acl.conf`, kept
 * equal to `emqxAclConf()` by a test). Both brokers take the certificate CN as the username.
 *
 * Where a broker cannot say what `mqttAccess` says, the generated rule is the closest safe one and
 * the difference is written here:
 * - Mosquitto cannot restrict `pattern` lines to UUID usernames: they apply to every identity, so
 *   the backend gets an explicit deny on its own name, and the device CA only ever puts UUIDs (or
 *   `custos-backend`) into client certificates.
 * - Mosquitto's and EMQX's `devices/+/…` accepts any level where `mqttAccess` wants a device id.
 * - Mosquitto 2.0's acl_file never refuses a SUBSCRIBE (its source says "FIXME"): it checks read
 *   access per message at delivery instead, so a device subscribed to `#` receives nothing.
 */
import {
  BACKEND_IDENTITY,
  BACKEND_RULES,
  DEVICE_ID_PATTERN,
  DEVICE_RULES,
  type MqttAction,
  type TopicRule,
} from './topic-acl.js';

const GENERATED = 'Generated from backend/src/core/mqtt/topic-acl.ts by broker-acl-files.ts. Do not edit.';

// biome-ignore lint/suspicious/noTemplateCurlyInString: EMQX's topic placeholder, not a JS template
export const EMQX_USERNAME = '${username}';

const mosquittoAccess = (action: MqttAction) => (action === 'publish' ? 'write' : 'read');

const brokerTopic = (rule: TopicRule, self: string) =>
  rule.topic.replaceAll('{self}', self).replaceAll('{device}', '+');

/** The text of Mosquitto 2.0's `acl_file` (with `use_identity_as_username true`). */
export function mosquittoAclFile(): string {
  return [
    `# ${GENERATED}`,
    '# Devices: %u is the certificate CN, i.e. the device id. Pattern lines apply to every user.',
    ...DEVICE_RULES.map((rule) => `pattern ${mosquittoAccess(rule.action)} ${brokerTopic(rule, '%u')}`),
    '',
    `user ${BACKEND_IDENTITY}`,
    `# The device patterns above would otherwise grant devices/${BACKEND_IDENTITY}/... to the backend.`,
    `topic deny devices/${BACKEND_IDENTITY}/#`,
    ...BACKEND_RULES.map((rule) => `topic ${mosquittoAccess(rule.action)} ${brokerTopic(rule, '')}`),
    '',
  ].join('\n');
}

/** The text of EMQX 5's file authorizer (`authorization.sources[].path`); first match decides. */
export function emqxAclConf(): string {
  const device = `{username, {re, ${erlangString(DEVICE_ID_PATTERN)}}}`;
  const backend = `{username, ${erlangString(BACKEND_IDENTITY)}}`;
  const rule = (who: string, action: MqttAction, rules: readonly TopicRule[]) => {
    const topics = rules
      .filter((r) => r.action === action)
      .map((r) => erlangString(brokerTopic(r, EMQX_USERNAME)))
      .join(', ');
    return `{allow, ${who}, ${action}, [${topics}]}.`;
  };
  return [
    `%% ${GENERATED}`,
    '%% Regenerate: npx vitest run --project backend backend/src/core/mqtt -u',
    '%% Username = client certificate CN (mqtt.peer_cert_as_username = cn in emqx.conf).',
    rule(device, 'publish', DEVICE_RULES),
    rule(device, 'subscribe', DEVICE_RULES),
    rule(backend, 'subscribe', BACKEND_RULES),
    rule(backend, 'publish', BACKEND_RULES),
    '%% Everything else, $SYS and # included.',
    '{deny, all}.',
    '',
  ].join('\n');
}

function erlangString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
