/**
 * Who may do what on the MQTT brokers, defined once. The identity is the subject CN of the client
 * certificate: a device's lower-case UUID, or `custos-backend` for every backend instance. The
 * embedded broker decides with `mqttAccess`; the Mosquitto and EMQX ACL files are generated from
 * the same rules (broker-acl-files.ts), so the three brokers cannot drift apart.
 */

export type MqttAction = 'publish' | 'subscribe';

/**
 * One grant. `topic` is a topic (publish) or topic filter (subscribe) whose levels may be:
 * `{self}`, the connecting device's own id (device rules only); `{device}`, any device id (backend
 * rules only; in a subscription also `+`, i.e. every device). No other wildcard is ever granted.
 */
export interface TopicRule {
  readonly action: MqttAction;
  readonly topic: string;
}

/** The certificate CN shared by all backend instances (each has its own client id). */
export const BACKEND_IDENTITY = 'custos-backend';

/** A device identity: a canonical lower-case UUID, as the device CA writes it into the CN. */
export const DEVICE_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const DEVICE_ID = new RegExp(DEVICE_ID_PATTERN);

/** A device talks only about itself: its telemetry, state and command acknowledgements out, its commands in. */
export const DEVICE_RULES: readonly TopicRule[] = [
  { action: 'publish', topic: 'devices/{self}/telemetry' },
  { action: 'publish', topic: 'devices/{self}/state' },
  { action: 'publish', topic: 'devices/{self}/commands/ack' },
  { action: 'subscribe', topic: 'devices/{self}/commands' },
];

/** The backend ingests from every device and sends commands to any one device. */
export const BACKEND_RULES: readonly TopicRule[] = [
  { action: 'subscribe', topic: 'devices/{device}/telemetry' },
  { action: 'subscribe', topic: 'devices/{device}/state' },
  { action: 'subscribe', topic: 'devices/{device}/commands/ack' },
  { action: 'publish', topic: 'devices/{device}/commands' },
];

/**
 * Backend instances need a client id each (a shared one would make them take over each other's
 * session); the prefix keeps them recognisable and out of the device id space.
 */
const BACKEND_CLIENT_ID = /^custos-backend-[A-Za-z0-9_.:-]{1,64}$/;

export function isDeviceIdentity(identity: string): boolean {
  return DEVICE_ID.test(identity);
}

/**
 * Whether a client that proved `identity` may connect as `clientId`. A device must use its own id:
 * the client id names the session, and another one would let it take over (and disconnect) a
 * different device's session.
 */
export function clientIdAllowed(identity: string, clientId: string): boolean {
  if (isDeviceIdentity(identity)) return clientId === identity;
  if (identity === BACKEND_IDENTITY) return BACKEND_CLIENT_ID.test(clientId);
  return false;
}

/** Whether `identity` may publish to `topic`, or subscribe with the filter `topic`. Deny by default. */
export function mqttAccess(identity: string, action: MqttAction, topic: string): boolean {
  if (isDeviceIdentity(identity)) {
    return DEVICE_RULES.some(
      (rule) => rule.action === action && matches(rule.topic, topic, action, identity),
    );
  }
  if (identity === BACKEND_IDENTITY) {
    const filter = action === 'subscribe' ? withoutSharePrefix(topic) : topic;
    return (
      filter !== undefined &&
      BACKEND_RULES.some((rule) => rule.action === action && matches(rule.topic, filter, action, undefined))
    );
  }
  return false;
}

function matches(rule: string, topic: string, action: MqttAction, self: string | undefined): boolean {
  const ruleLevels = rule.split('/');
  const levels = topic.split('/');
  if (ruleLevels.length !== levels.length) return false;
  return ruleLevels.every((ruleLevel, i) => {
    const level = levels[i] as string;
    if (ruleLevel === '{self}') return self !== undefined && level === self;
    if (ruleLevel === '{device}') return isDeviceIdentity(level) || (action === 'subscribe' && level === '+');
    return level === ruleLevel;
  });
}

/**
 * `$share/<group>/<filter>` → `<filter>` (MQTT 5 §4.8.2: the group is one non-empty level without
 * wildcards). Brokers authorise a shared subscription by its filter; a malformed one is refused.
 */
function withoutSharePrefix(filter: string): string | undefined {
  if (!filter.startsWith('$share/')) return filter;
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const group = rest.slice(0, slash);
  const inner = rest.slice(slash + 1);
  if (/[+#]/.test(group) || inner === '') return undefined;
  return inner;
}
