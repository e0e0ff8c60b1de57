/**
 * How the backend itself connects to the broker: mutual TLS with the `custos-backend` identity, a
 * stable client id and a persistent session (messages not yet acknowledged survive a restart).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { IClientOptions } from 'mqtt';
import type { AppConfig } from '../config/config.js';
import { ConfigError } from '../config/config.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { FileCertificateAuthority } from '../pki/file-certificate-authority.js';
import { BACKEND_IDENTITY } from './topic-acl.js';

/** How long the broker keeps a disconnected instance's session and undelivered messages (MQTT 5). */
const SESSION_EXPIRY_SECONDS = 24 * 3600;

export async function backendTlsMaterial(
  config: AppConfig,
  ca: CertificateAuthority,
): Promise<{ ca: string; cert: string; key: string }> {
  const trust = config.MQTT_CA_FILE ? await readFile(config.MQTT_CA_FILE, 'utf8') : ca.chainPem;
  if (config.MQTT_CERT_FILE && config.MQTT_KEY_FILE) {
    return {
      ca: trust,
      cert: await readFile(config.MQTT_CERT_FILE, 'utf8'),
      key: await readFile(config.MQTT_KEY_FILE, 'utf8'),
    };
  }
  if (!(ca instanceof FileCertificateAuthority)) {
    throw new ConfigError(['MQTT_CERT_FILE, MQTT_KEY_FILE: required unless the development CA is in use']);
  }
  const issued = await ca.issueTlsCredentials({ commonName: BACKEND_IDENTITY, usage: 'client' });
  return { ca: trust, cert: issued.chainPem, key: issued.privateKeyPem };
}

export function backendClientOptions(
  config: AppConfig,
  tls: { ca: string; cert: string; key: string },
): IClientOptions {
  const url = new URL(config.MQTT_URL);
  return {
    protocol: url.protocol === 'mqtts:' ? 'mqtts' : 'mqtt',
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'mqtts:' ? 8883 : 1883)),
    // SNI takes host names only.
    ...(isIP(url.hostname) ? {} : { servername: url.hostname }),
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
    clientId: config.MQTT_CLIENT_ID,
    protocolVersion: config.MQTT_PROTOCOL_VERSION,
    clean: false,
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(config.MQTT_PROTOCOL_VERSION === 5
      ? {
          properties: {
            sessionExpiryInterval: SESSION_EXPIRY_SECONDS,
            receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
          },
        }
      : {}),
  };
}

/** The subscription to one device channel: shared between instances where the broker supports it. */
export function subscriptionFilter(config: AppConfig, channel: string): string {
  const filter = `devices/+/${channel}`;
  return config.MQTT_SHARED_GROUP && config.MQTT_PROTOCOL_VERSION === 5
    ? `$share/${config.MQTT_SHARED_GROUP}/${filter}`
    : filter;
}
