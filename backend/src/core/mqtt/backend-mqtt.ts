/**
 * The backend instance's one MQTT connection. Features register what they consume (telemetry,
 * state, command acknowledgements) before the application starts; each channel is subscribed to
 * as `devices/+/<channel>`, shared between instances where the broker can. Every QoS 1 message is
 * handed over with an `acknowledge()` that the feature calls after its database commit
 * (deferred-acks.ts). Commands go out through `publish`.
 */
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../audit/audit-metrics.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, CERTIFICATE_AUTHORITY } from '../core.tokens.js';
import type { CertificateAuthority } from '../pki/certificate-authority.js';
import { backendClientOptions, backendTlsMaterial, subscriptionFilter } from './backend-connection.js';
import { type DeferredMessage, deferAcknowledgements } from './deferred-acks.js';

/** The device → platform topics the backend consumes (DESIGN.md). */
export type DeviceChannel = 'telemetry' | 'state' | 'commands/ack';

const CHANNEL_OF = /^devices\/[^/]+\/(telemetry|state|commands\/ack)$/;

@Injectable()
export class BackendMqtt implements OnApplicationBootstrap, OnApplicationShutdown {
  private client: MqttClient | undefined;
  private readonly handlers = new Map<DeviceChannel, (message: DeferredMessage) => void>();
  private readonly observers = new Map<DeviceChannel, ((message: DeferredMessage) => void)[]>();
  /** Topics subscribed for live viewers in this instance, with how many viewers need each. */
  private readonly watched = new Map<string, number>();
  private readonly connectedGauge: Gauge;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(CERTIFICATE_AUTHORITY) private readonly ca: CertificateAuthority,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.connectedGauge = new Gauge({
      name: 'custos_mqtt_connected',
      help: '1 while this instance is connected to the MQTT broker',
      registers: [registry],
    });
  }

  /** Registers the consumer of a channel; call from `onModuleInit`, before the connection opens. */
  consume(channel: DeviceChannel, handler: (message: DeferredMessage) => void): void {
    this.handlers.set(channel, handler);
  }

  /**
   * Sees every message of a channel this instance receives, through any subscription, after its
   * consumer (the live channel: it must not acknowledge anything).
   */
  observe(channel: DeviceChannel, observer: (message: DeferredMessage) => void): void {
    this.observers.set(channel, [...(this.observers.get(channel) ?? []), observer]);
  }

  /**
   * Subscribes this instance (QoS 0, not shared) to one device's topic while someone here watches
   * it: with shared subscriptions, the ingest copy of a message may go to another instance.
   */
  watch(topic: string): void {
    const count = this.watched.get(topic) ?? 0;
    this.watched.set(topic, count + 1);
    if (count === 0 && this.client?.connected) this.client.subscribe(topic, { qos: 0 });
  }

  unwatch(topic: string): void {
    const count = this.watched.get(topic) ?? 0;
    if (count <= 1) {
      this.watched.delete(topic);
      if (this.client?.connected) this.client.unsubscribe(topic);
    } else this.watched.set(topic, count - 1);
  }

  get enabled(): boolean {
    return this.config.MQTT_ENABLED;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.MQTT_ENABLED) return;
    const tls = await backendTlsMaterial(this.config, this.ca);
    const client = mqtt.connect(backendClientOptions(this.config, tls));
    this.client = client;
    deferAcknowledgements(client, (message) => this.dispatch(message));
    client.on('connect', (connack) => {
      this.connectedGauge.set(1);
      this.logger.info({ sessionPresent: connack.sessionPresent }, 'mqtt connected');
      // Re-subscribing is harmless with a resumed session and needed with a new one.
      const filters = [...this.handlers.keys()].map((channel) => subscriptionFilter(this.config, channel));
      if (this.watched.size > 0) client.subscribe([...this.watched.keys()], { qos: 0 });
      if (filters.length === 0) return;
      client.subscribe(filters, { qos: 1 }, (error, granted) => {
        const refused = granted?.filter((g) => g.qos > 2).map((g) => g.topic);
        if (error || refused?.length) this.logger.error({ err: error, refused }, 'mqtt subscription refused');
      });
    });
    client.on('close', () => this.connectedGauge.set(0));
    client.on('error', (error) =>
      this.logger.warn({ err: { message: error.message } }, 'mqtt connection error'),
    );
  }

  /** QoS 1 publish; resolves when the broker has accepted the message. */
  async publish(topic: string, payload: string): Promise<void> {
    if (!this.client) throw new Error('MQTT is disabled in this instance');
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  async onApplicationShutdown(): Promise<void> {
    this.connectedGauge.set(0);
    // What was not committed stays unacknowledged: the broker delivers it again to the next start.
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private dispatch(message: DeferredMessage): void {
    const channel = CHANNEL_OF.exec(message.topic)?.[1] as DeviceChannel | undefined;
    const handler = channel && this.handlers.get(channel);
    // Live-viewer copies (QoS 0) are for the observers only: the consumer gets its own QoS 1 copy.
    if (handler && message.qos > 0) handler(message);
    // Nothing else is subscribed; a stray message is acknowledged so it is not redelivered forever.
    else message.acknowledge();
    for (const observer of (channel && this.observers.get(channel)) || []) observer(message);
  }
}
