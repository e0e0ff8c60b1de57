/**
 * The device agent: one MQTT over mutual TLS connection from a gateway to the platform's broker, on the topic
 * contract of `topics.ts`. It publishes telemetry and state, runs commands and acknowledges them, keeps
 * telemetry while the broker is unreachable, reconnects with jittered backoff, and switches to a rotated
 * certificate. It owns reconnection (MQTT.js's own is off), so that backoff, rotation and the resending of
 * unacknowledged messages follow one set of rules. Broker and network errors never throw out of it.
 */
import { EventEmitter } from 'node:events';
import { connect, type MqttClient } from 'mqtt';
import { Backoff, type BackoffOptions } from './backoff.js';
import { CommandDispatcher, type CommandHandler } from './commands.js';
import { AgentError } from './errors.js';
import { CLOSE_TIMEOUT_MS, closeClient, linkOf, mqttClientOptions, OFFLINE_STATE } from './mqtt-client.js';
import { Outbox, type OutboxCounters } from './outbox.js';
import type { TlsKeySource } from './tls-key.js';
import { type DeviceTopics, deviceTopics } from './topics.js';

export interface DeviceAgentOptions {
  /** The device's UUID: its MQTT client id and the CN of its certificate. */
  deviceId: string;
  /** `mqtts://host:port`; plain `mqtt://` is refused. */
  brokerUrl: string;
  /** PEM trust anchors for the broker's server certificate. */
  ca: string;
  /** PEM: the device certificate, then the CA chain that issued it. */
  certificate: string;
  key: TlsKeySource;
  /** 5 by default; 4 (MQTT 3.1.1) for brokers without MQTT 5, such as the embedded aedes. */
  protocolVersion?: 4 | 5;
  /**
   * Messages waiting to be sent (while disconnected, or beyond the broker's in-flight window); default 1000.
   */
  queueLimit?: number;
  backoff?: BackoffOptions;
  /** The name to check the broker's certificate against, when it is not the URL's host. */
  servername?: string;
  /** MQTT 5: how long the broker keeps the session (subscription, queued commands); default 7 days. */
  sessionExpirySeconds?: number;
  now?: () => Date;
  /** Where errors go when nobody listens to `error`; default stderr. */
  log?: (message: string, error: Error) => void;
}

export type AgentStatus = 'idle' | 'connecting' | 'online' | 'offline' | 'stopped';

export interface AgentCounters extends OutboxCounters {
  malformedCommands: number;
  /** Connections made after the first one. */
  reconnects: number;
}

export interface AgentEvents {
  online: [];
  offline: [{ retryInMs: number; error: Error }];
  error: [Error];
  malformedCommand: [reason: string];
}

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class DeviceAgent extends EventEmitter<AgentEvents> {
  #options: DeviceAgentOptions;
  readonly #topics: DeviceTopics;
  readonly #outbox: Outbox;
  readonly #backoff: Backoff;
  readonly #commands: CommandDispatcher;
  #client: MqttClient | undefined;
  #status: AgentStatus = 'idle';
  #timer: NodeJS.Timeout | undefined;
  /** Bumped whenever pending connection work (a timer, a reconnect in progress) must be abandoned. */
  #generation = 0;
  #seq = 0;
  #connections = 0;
  #malformedCommands = 0;
  #lastError: Error | undefined;
  #reported: Record<string, unknown> = {};
  readonly #stateWaiters = new Set<Waiter>();
  #rotation: Waiter | undefined;

  constructor(options: DeviceAgentOptions) {
    super();
    if (new URL(options.brokerUrl).protocol !== 'mqtts:')
      throw new RangeError('the broker URL must be mqtts://');
    this.#options = options;
    this.#topics = deviceTopics(options.deviceId);
    this.#outbox = new Outbox(options.queueLimit ?? 1000);
    this.#backoff = new Backoff(options.backoff);
    this.#commands = new CommandDispatcher({ now: options.now });
  }

  get status(): AgentStatus {
    return this.#status;
  }

  get counters(): AgentCounters {
    return {
      ...this.#outbox.counters,
      malformedCommands: this.#malformedCommands,
      reconnects: Math.max(0, this.#connections - 1),
    };
  }

  get topics(): DeviceTopics {
    return this.#topics;
  }

  start(): void {
    if (this.#status !== 'idle') throw new Error(`the agent cannot start when ${this.#status}`);
    this.#connect();
  }

  onCommand(name: string, handler: CommandHandler): void {
    this.#commands.on(name, handler);
  }

  /**
   * Sends `{"seq", "ts", "metrics"}` at QoS 1; while disconnected, queues it. Resolves on PUBACK; rejects
   * with an `AgentError` (`refused`, `dropped`, `stopped`, `publish_failed`). Awaiting is optional: an
   * ignored rejection is not an unhandled one.
   */
  publishTelemetry(
    metrics: Record<string, number | string | boolean>,
    measuredAt = new Date(),
  ): Promise<void> {
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new RangeError(`metric ${name} is not finite`);
    }
    this.#seq += 1;
    const payload = JSON.stringify({ seq: this.#seq, ts: measuredAt.toISOString(), metrics });
    return this.#deliver(this.#topics.telemetry, payload);
  }

  /** Replaces the reported state; resolves once the broker holds it (retained), now or after reconnecting. */
  reportState(reported: Record<string, unknown>): Promise<void> {
    JSON.stringify(reported); // fail here, not in a publish later, on what JSON cannot carry
    this.#reported = reported;
    if (this.#status === 'stopped') return handled(Promise.reject(stoppedError()));
    const promise = handled(
      new Promise<void>((resolve, reject) => this.#stateWaiters.add({ resolve, reject })),
    );
    if (this.#status === 'online' && this.#client) this.#publishState(this.#client);
    return promise;
  }

  /**
   * Reconnects now with a new certificate and key (certificate rotation), after a clean disconnect (no last
   * will). Resolves when connected with them; rejects (`rotation_failed`) if that first attempt fails, while
   * the agent keeps retrying with the new credentials: going back is the caller's decision.
   */
  rotateCredentials({ certificate, key }: { certificate: string; key: TlsKeySource }): Promise<void> {
    if (this.#status === 'stopped') return handled(Promise.reject(stoppedError()));
    this.#options = { ...this.#options, certificate, key };
    if (this.#status === 'idle') return Promise.resolve();
    this.#rotation?.reject(new AgentError('rotation_failed', 'superseded by a newer rotation'));
    const promise = handled(new Promise<void>((resolve, reject) => (this.#rotation = { resolve, reject })));
    void this.#reconnectNow();
    return promise;
  }

  /**
   * Publishes `{"online":false}` (retained) if connected, disconnects cleanly and rejects what is pending.
   */
  async stop(): Promise<void> {
    if (this.#status === 'stopped') return;
    const client = this.#client;
    const online = this.#status === 'online';
    this.#status = 'stopped';
    this.#abandonConnection();
    if (client && online) await this.#publishOffline(client);
    if (client) await closeClient(client);
    const error = stoppedError();
    this.#outbox.failAll(error);
    for (const waiter of this.#stateWaiters) waiter.reject(error);
    this.#stateWaiters.clear();
    this.#rotation?.reject(error);
    this.#rotation = undefined;
  }

  #connect(): void {
    this.#timer = undefined;
    this.#status = 'connecting';
    this.#lastError = undefined;
    let client: MqttClient;
    try {
      client = connect(
        this.#options.brokerUrl,
        mqttClientOptions({ ...this.#options, stateTopic: this.#topics.state }),
      );
    } catch (error) {
      // TLS options that OpenSSL refuses (an engine it cannot load, a key it cannot parse) throw here.
      // Reported after the caller's turn, as a failed connection would be, so that start() itself never
      // throws for it.
      const cause = error instanceof Error ? error : new Error(String(error));
      const generation = this.#generation;
      queueMicrotask(() => {
        if (generation !== this.#generation) return;
        this.#report(cause);
        this.#retryLater(cause, false);
      });
      return;
    }
    this.#client = client;
    client.on('connect', () => this.#onConnect(client));
    client.on('message', (topic, payload) => {
      if (topic === this.#topics.commands) this.#onCommand(payload).catch((error) => this.#report(error));
    });
    client.on('error', (error) => {
      if (client !== this.#client) return;
      this.#lastError = error;
      this.#report(error);
    });
    client.on('close', () => this.#onClose(client));
  }

  #onConnect(client: MqttClient): void {
    if (client !== this.#client) return;
    this.#connections += 1;
    this.#status = 'online';
    this.#backoff.reset();
    this.#publishState(client);
    // MQTT.js reports a refused subscription (SUBACK 0x80 and above) as an error too.
    client.subscribe(this.#topics.commands, { qos: 1 }, (error) => {
      if (error && client === this.#client)
        this.#report(new Error(`commands subscription failed: ${error.message}`));
    });
    this.#outbox.attach(linkOf(client));
    this.#rotation?.resolve();
    this.#rotation = undefined;
    this.emit('online');
  }

  #onClose(client: MqttClient): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    client.end(true);
    const wasOnline = this.#status === 'online';
    this.#outbox.detach();
    const error =
      this.#lastError ?? new Error(wasOnline ? 'connection lost' : 'connection closed before CONNACK');
    this.#retryLater(error, wasOnline);
  }

  #retryLater(error: Error, wasOnline: boolean): void {
    if (!wasOnline && this.#rotation) {
      this.#rotation.reject(new AgentError('rotation_failed', `could not connect: ${error.message}`));
      this.#rotation = undefined;
    }
    const retryInMs = this.#backoff.next();
    this.#status = 'offline';
    const generation = this.#generation;
    this.#timer = setTimeout(() => {
      if (generation === this.#generation) this.#connect();
    }, retryInMs);
    this.emit('offline', { retryInMs, error });
  }

  async #reconnectNow(): Promise<void> {
    const client = this.#client;
    const generation = this.#abandonConnection();
    this.#status = 'connecting';
    if (client) await closeClient(client);
    if (generation === this.#generation && this.#status === 'connecting') this.#connect();
  }

  /** Detaches the current connection and cancels a scheduled one; returns the new generation. */
  #abandonConnection(): number {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#client = undefined;
    this.#outbox.detach();
    this.#generation += 1;
    return this.#generation;
  }

  #publishState(client: MqttClient): void {
    const waiters = [...this.#stateWaiters];
    const payload = JSON.stringify({ online: true, reported: this.#reported });
    client.publish(this.#topics.state, payload, { qos: 1, retain: true }, (error) => {
      // Lost with the connection: the next connection publishes the state again, and settles them then.
      if (client !== this.#client) return;
      for (const waiter of waiters) {
        this.#stateWaiters.delete(waiter);
        if (error) waiter.reject(new AgentError('refused', `state not accepted: ${error.message}`));
        else waiter.resolve();
      }
    });
  }

  #publishOffline(client: MqttClient): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      client.publish(this.#topics.state, OFFLINE_STATE, { qos: 1, retain: true }, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async #onCommand(payload: Buffer): Promise<void> {
    const outcome = await this.#commands.dispatch(payload);
    if (outcome.kind === 'malformed' || (outcome.ack.error === 'invalid_command' && !outcome.duplicate)) {
      this.#malformedCommands += 1;
      this.emit('malformedCommand', outcome.kind === 'malformed' ? outcome.reason : 'invalid fields');
    }
    if (outcome.kind === 'ack') void this.#deliver(this.#topics.commandAcks, JSON.stringify(outcome.ack));
  }

  #deliver(topic: string, payload: string): Promise<void> {
    if (this.#status === 'stopped') return handled(Promise.reject(stoppedError()));
    return handled(
      new Promise<void>((resolve, reject) => this.#outbox.add({ topic, payload, resolve, reject })),
    );
  }

  #report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else (this.#options.log ?? defaultLog)(`device agent ${this.#options.deviceId}: ${error.message}`, error);
  }
}

/** Marks a promise as handled, so that a caller who does not await it cannot crash the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

function stoppedError(): AgentError {
  return new AgentError('stopped', 'the agent was stopped');
}

function defaultLog(message: string): void {
  process.stderr.write(`${message}\n`);
}
