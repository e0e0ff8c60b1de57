/**
 * The agent's use of MQTT.js, kept in one place: the connection options that make a device session (client
 * id = device id, persistent session, last will, mutual TLS, no automatic reconnect), the outbox's view of a
 * connection, and a clean disconnect.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Link } from './outbox.js';
import { type TlsKeySource, tlsKeyOptions } from './tls-key.js';

export const OFFLINE_STATE = JSON.stringify({ online: false });
const KEEPALIVE_SECONDS = 30;
/** MQTT 5: how long the broker keeps the session (subscription, queued commands) after a disconnect. */
const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;
export const CLOSE_TIMEOUT_MS = 2000;
/**
 * In flight at once when the broker sets no Receive Maximum (MQTT 3.1.1): bounds the burst after a reconnect.
 */
const DEFAULT_MAX_INFLIGHT = 100;

export interface SessionSettings {
  deviceId: string;
  ca: string;
  certificate: string;
  key: TlsKeySource;
  servername?: string;
  protocolVersion?: 4 | 5;
  sessionExpirySeconds?: number;
  /** The topic of the last will: the device's state topic. */
  stateTopic: string;
}

export function mqttClientOptions(settings: SessionSettings): IClientOptions {
  const { deviceId, ca, certificate, key, servername, protocolVersion = 5 } = settings;
  const tls = { ca, cert: certificate, ...tlsKeyOptions(key), rejectUnauthorized: true, servername };
  const v5 = { sessionExpiryInterval: settings.sessionExpirySeconds ?? SESSION_EXPIRY_SECONDS };
  return {
    ...tls,
    clientId: deviceId,
    protocolVersion,
    // A persistent session: commands sent while the device was away wait for it at the broker.
    clean: false,
    // The agent reconnects itself, with backoff, resending and rotation under one set of rules.
    reconnectPeriod: 0,
    keepalive: KEEPALIVE_SECONDS,
    will: { topic: settings.stateTopic, payload: Buffer.from(OFFLINE_STATE), qos: 1, retain: true },
    ...(protocolVersion === 5 ? { properties: v5 } : {}),
  };
}

export function linkOf(client: MqttClient): Link {
  // One slot of an MQTT 5 broker's Receive Maximum stays free for the state message, sent outside the outbox.
  const receiveMaximum = client.serverProperties?.receiveMaximum;
  return {
    publish: (topic, payload, callback) =>
      client.publish(topic, payload, { qos: 1 }, (error) => callback(error)),
    get connected() {
      return client.connected;
    },
    maxInflight: receiveMaximum ? Math.max(1, receiveMaximum - 1) : DEFAULT_MAX_INFLIGHT,
  };
}

/**
 * A clean DISCONNECT (so the broker does not publish the last will), waiting for the socket to close. MQTT.js
 * would first wait for every QoS 1 message in flight; the outbox has taken those back to resend, so they go.
 */
export function closeClient(client: MqttClient): Promise<void> {
  for (const id of Object.keys(client.outgoing)) client.removeOutgoingMessage(Number(id));
  return new Promise((resolve) => {
    const timer = setTimeout(() => client.stream?.destroy(), CLOSE_TIMEOUT_MS);
    client.end(!client.connected, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
