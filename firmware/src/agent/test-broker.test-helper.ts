/**
 * A real MQTT broker for the agent's integration tests: aedes (MQTT 3.1.1) behind a Node TLS server that
 * demands a client certificate from the test's device CA, with the platform's rules (topic-acl.ts): the
 * certificate's CN is the identity and, for a device, the client id; a device publishes and subscribes only
 * under its own `devices/{id}/`. It records what it sees, can send commands as the platform would, drop a
 * connection, and stop and start again on its port. The platform's embedded broker (embedded-broker.ts) sets
 * up aedes the same way; this one adds the recording and the restarts the tests need.
 */
import { once } from 'node:events';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { clientIdAllowed, mqttAccess } from '../../../backend/src/core/mqtt/topic-acl.js';
import type {
  FileCertificateAuthority,
  TlsCredentials,
} from '../../../backend/src/core/pki/file-certificate-authority.js';

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

  private constructor(
    private readonly credentials: TlsCredentials,
    private readonly trustedCaPem: string,
  ) {}

  /** Listens on a free port with a server certificate for `localhost` from `ca`, trusting `ca` for clients. */
  static async start(ca: FileCertificateAuthority): Promise<AedesTestBroker> {
    const server = await ca.issueTlsCredentials({
      commonName: 'localhost',
      usage: 'server',
      hostnames: ['localhost', '127.0.0.1'],
    });
    const broker = new AedesTestBroker(server, ca.chainPem);
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
      if (commonName(socket) === clientId) socket.destroy();
    }
  }

  async start(): Promise<void> {
    const broker = new Aedes({
      authenticate: (client, _username, _password, done) => {
        const identity = commonName(client.conn as TLSSocket);
        identities.set(client, identity);
        if (clientIdAllowed(identity, client.id)) return done(null, true);
        const error = Object.assign(new Error('client id is not the certificate CN'), {
          returnCode: NOT_AUTHORIZED,
        });
        done(error as AuthenticateError, false);
      },
      authorizePublish: (client, packet, done) =>
        done(
          client && mqttAccess(identityOf(client), 'publish', packet.topic)
            ? null
            : new Error('not your topic'),
        ),
      authorizeSubscribe: (client, subscription, done) =>
        done(null, mqttAccess(identityOf(client), 'subscribe', subscription.topic) ? subscription : null),
    });
    await broker.listen();
    broker.on('clientReady', (client) => {
      const certificate = (client.conn as TLSSocket).getPeerCertificate();
      this.connections.push({
        clientId: client.id,
        commonName: identityOf(client),
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
        key: this.credentials.privateKeyPem,
        cert: this.credentials.chainPem,
        ca: this.trustedCaPem,
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

/** The subject CN of the client certificate: the MQTT identity; '' (which no rule grants) without one. */
function commonName(socket: TLSSocket): string {
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : '';
}

/** Recorded at CONNECT: the last will is authorized after the socket, and its certificate, are gone. */
const identities = new WeakMap<Client, string>();
const identityOf = (client: Client): string => identities.get(client) ?? '';
