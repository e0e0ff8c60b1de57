/**
 * A real MQTT broker for the agent's integration tests: aedes (MQTT 3.1.1) behind a Node TLS server that
 * demands a client certificate from the test PKI, with the platform's rules: the certificate's CN is the
 * client id, and a device publishes and subscribes only under its own `devices/{id}/`. It records what it
 * sees, can send commands as the platform would, drop a connection, and stop and start again on its port.
 */
import { once } from 'node:events';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes, type AuthenticateError } from 'aedes';
import type { TestPki } from './test-pki.test-helper.js';

export interface ObservedPublish {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  /** The publishing client (the device, also for its last will); undefined for the broker's own. */
  clientId: string | undefined;
}

export interface ObservedConnection {
  clientId: string;
  commonName: string;
  /** SHA-256 fingerprint of the client certificate, as Node prints it. */
  fingerprint256: string;
}

type SubscriptionWaiter = { clientId: string; resolve: () => void };
type Waiter = {
  predicate: (publish: ObservedPublish) => boolean;
  resolve: (publish: ObservedPublish) => void;
};

const NOT_AUTHORIZED = 5;

export class AedesTestBroker {
  readonly published: ObservedPublish[] = [];
  readonly connections: ObservedConnection[] = [];
  #broker: Aedes | undefined;
  #server: Server | undefined;
  readonly #sockets = new Set<TLSSocket>();
  readonly #waiters = new Set<Waiter>();
  readonly #subscribed = new Set<string>();
  readonly #subscriptionWaiters = new Set<SubscriptionWaiter>();

  /** 0 until the first start picks a free port; restarts keep it. */
  #port = 0;

  private constructor(private readonly pki: TestPki) {}

  static async start(pki: TestPki): Promise<AedesTestBroker> {
    const broker = new AedesTestBroker(pki);
    await broker.start();
    return broker;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `mqtts://localhost:${this.port}`;
  }

  /** The first publish, from index `from` of `published` on, that matches; waits for it if need be. */
  waitFor(predicate: (publish: ObservedPublish) => boolean, from = 0): Promise<ObservedPublish> {
    const seen = this.published.slice(from).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.add({ predicate, resolve }));
  }

  /** Resolves once the device has subscribed to its commands on the current broker instance. */
  waitForCommandSubscription(clientId: string): Promise<void> {
    if (this.#subscribed.has(clientId)) return Promise.resolve();
    return new Promise((resolve) => this.#subscriptionWaiters.add({ clientId, resolve }));
  }

  /** Publishes to `devices/{id}/commands` at QoS 1, as the platform does. */
  sendCommand(deviceId: string, payload: string | object): Promise<void> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return new Promise((resolve, reject) =>
      this.#aedes().publish(
        {
          cmd: 'publish',
          topic: `devices/${deviceId}/commands`,
          payload: Buffer.from(body),
          qos: 1,
          retain: false,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  /** Kills the client's connection without a DISCONNECT, as a dead link would. */
  dropConnection(clientId: string): void {
    for (const socket of this.#sockets) {
      if (socket.getPeerCertificate().subject?.CN === clientId) socket.destroy();
    }
  }

  async start(): Promise<void> {
    const broker = new Aedes({
      authenticate: (client, _username, _password, done) => {
        const commonName = (client.conn as TLSSocket).getPeerCertificate().subject?.CN;
        if (commonName === client.id) return done(null, true);
        const error = Object.assign(new Error('client id is not the certificate CN'), {
          returnCode: NOT_AUTHORIZED,
        });
        done(error as AuthenticateError, false);
      },
      authorizePublish: (client, packet, done) =>
        done(client && ownTopic(client.id, packet.topic, 'publish') ? null : new Error('not your topic')),
      authorizeSubscribe: (client, subscription, done) =>
        done(null, ownTopic(client.id, subscription.topic, 'subscribe') ? subscription : null),
    });
    await broker.listen();
    broker.on('clientReady', (client) => {
      const certificate = (client.conn as TLSSocket).getPeerCertificate();
      this.connections.push({
        clientId: client.id,
        commonName: String(certificate.subject?.CN),
        fingerprint256: certificate.fingerprint256,
      });
    });
    broker.on('subscribe', (subscriptions, client) => {
      if (!subscriptions.some((subscription) => subscription.topic === `devices/${client.id}/commands`))
        return;
      this.#subscribed.add(client.id);
      for (const waiter of this.#subscriptionWaiters) {
        if (waiter.clientId !== client.id) continue;
        this.#subscriptionWaiters.delete(waiter);
        waiter.resolve();
      }
    });
    broker.on('publish', (packet, client) => {
      if (!packet.topic.startsWith('devices/')) return;
      this.#observe({
        topic: packet.topic,
        payload: Buffer.from(packet.payload).toString('utf8'),
        retain: packet.retain,
        qos: packet.qos,
        clientId: client?.id,
      });
    });
    const server = createServer(
      {
        key: this.pki.server.keyPem,
        cert: this.pki.server.certPem,
        ca: this.pki.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
        noDelay: true,
      },
      (socket) => {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        broker.handle(socket);
      },
    );
    // A handshake a client abandons is the client's business, not a test failure.
    server.on('tlsClientError', () => {});
    server.listen(this.#port, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (typeof address === 'object' && address) this.#port = address.port;
    this.#broker = broker;
    this.#server = server;
  }

  /**
   * Stops listening and closes every connection (no state survives: a broker restart without persistence).
   */
  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    this.#subscribed.clear();
    for (const socket of this.#sockets) socket.destroy();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #aedes(): Aedes {
    if (!this.#broker) throw new Error('the broker is stopped');
    return this.#broker;
  }

  #observe(publish: ObservedPublish): void {
    this.published.push(publish);
    for (const waiter of this.#waiters) {
      if (!waiter.predicate(publish)) continue;
      this.#waiters.delete(waiter);
      waiter.resolve(publish);
    }
  }
}

/**
 * The platform's ACL: a device writes its telemetry, state and acks, and reads its commands, nothing else.
 */
function ownTopic(deviceId: string, topic: string, action: 'publish' | 'subscribe'): boolean {
  const base = `devices/${deviceId}/`;
  if (action === 'subscribe') return topic === `${base}commands`;
  return [`${base}telemetry`, `${base}state`, `${base}commands/ack`].includes(topic);
}
