/**
 * The MQTT broker that `npm start` embeds: aedes (MQTT 3.1.1 only, no shared subscriptions) behind
 * a TLS server that demands a client certificate from the device CA. The certificate's subject CN
 * is the identity; topic-acl.ts decides what it may do. Production runs EMQX (infra/emqx/) with
 * the same rules; docs/runbooks/mqtt-brokers.md compares the two.
 *
 * Nothing here logs a payload or a topic (a topic is chosen by the client and could carry anything).
 */
import { type EventEmitter, once } from 'node:events';
import { createServer, type TLSSocket } from 'node:tls';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import type { BrokerControl } from './broker-control.js';
import { RevocationList } from './revocation-list.js';
import { BACKEND_IDENTITY, clientIdAllowed, isDeviceIdentity, mqttAccess } from './topic-acl.js';

type Handler<K extends keyof AedesOptions> = NonNullable<AedesOptions[K]>;

/** The part of a pino logger the broker uses. */
export interface BrokerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  debug(details: object, message: string): void;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The broker's own certificate (followed by the issuing CA) and key. */
  serverCredentials: { chainPem: string; privateKeyPem: string };
  /** Trust anchors for client certificates: the device CA's root and issuing CA. */
  trustedCaPem: string;
  /** The issuing CA's CRL (PEM); a certificate it lists is refused right after the handshake. */
  crlPem?: string;
  log?: BrokerLog;
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /** Replaces the CRL (verified first): new connections with a listed certificate are refused. Open sessions stay until `disconnect`. */
  setRevocationList(crlPem: string): Promise<void>;
  /** Drops every connection of that identity now (a revoked device), whether or not its MQTT session is up. */
  disconnect(identity: string): Promise<number>;
  /** Identities with an MQTT session open now (one entry per identity). */
  connectedIdentities(): string[];
  stop(): Promise<void>;
}

const silent: BrokerLog = { info() {}, warn() {}, debug() {} };

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log ?? silent;
  const sockets = new Set<TLSSocket>();
  const sessions = new Map<string, Client>(); // open MQTT sessions by client id

  const broker = new Aedes({
    connectTimeout: 10_000,
    authenticate: authenticate(log),
    authorizePublish: authorizePublish(log),
    authorizeSubscribe: authorizeSubscribe(log),
    // Second line of defence, as Mosquitto's per-message read check: nothing reaches a client
    // that it could not have subscribed to (e.g. a session restored under an older ACL).
    authorizeForward: (client, packet) =>
      mqttAccess(identityOf(client), 'subscribe', packet.topic) ? packet : null,
  });
  await broker.listen();
  broker.on('clientReady', (client) => {
    sessions.set(client.id, client);
    log.info({ identity: identityOf(client) }, 'mqtt session opened');
  });
  broker.on('clientDisconnect', (client) => {
    if (sessions.get(client.id) === client) sessions.delete(client.id);
  });
  // Malformed packets and abrupt disconnects end that one connection; they never reach the process.
  broker.on('clientError', (client, error) =>
    log.debug({ identity: identityOf(client), error: error.message }, 'mqtt client error'),
  );
  broker.on('connectionError', (_client, error) =>
    log.debug({ error: error.message }, 'mqtt connection error'),
  );
  // aedes emits 'error' from background work (e.g. clearing wills); unhandled, it would end the process.
  (broker as EventEmitter).on('error', (error: Error) =>
    log.warn({ error: error.message }, 'mqtt broker error'),
  );

  let revocations = options.crlPem
    ? await RevocationList.parse(options.crlPem, options.trustedCaPem)
    : undefined;
  const server = createServer(
    {
      key: options.serverCredentials.privateKeyPem,
      cert: options.serverCredentials.chainPem,
      ca: options.trustedCaPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 10_000,
    },
    (socket) => {
      if (isRevoked(socket, revocations)) {
        log.warn({ identity: certificateIdentity(socket) }, 'mqtt connection refused: certificate revoked');
        socket.destroy();
        return;
      }
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      broker.handle(socket);
    },
  );
  // A refused certificate or a broken handshake: log the reason code only, keep serving.
  server.on('tlsClientError', (error: NodeJS.ErrnoException) =>
    log.debug({ code: error.code }, 'mqtt tls refused'),
  );
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `mqtts://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    port,
    async setRevocationList(crlPem) {
      // Checked at each new connection; sessions already open are left to `disconnect`.
      revocations = await RevocationList.parse(crlPem, options.trustedCaPem);
      log.info({ nextUpdate: revocations.nextUpdate }, 'mqtt revocation list replaced');
    },
    async disconnect(identity) {
      const victims = [...sockets].filter((socket) => certificateIdentity(socket) === identity);
      await Promise.all(
        victims.map((socket) => {
          const closed = once(socket, 'close');
          socket.destroy();
          return closed;
        }),
      );
      if (victims.length > 0)
        log.info({ identity, connections: victims.length }, 'mqtt identity disconnected');
      return victims.length;
    },
    connectedIdentities: () => [...new Set([...sessions.values()].map(identityOf))],
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Fails closed: a certificate that cannot be checked counts as revoked. */
function isRevoked(socket: TLSSocket, revocations: RevocationList | undefined): boolean {
  if (!revocations) return false;
  try {
    return revocations.lists(socket.getPeerCertificate().raw);
  } catch {
    return true;
  }
}

/** The subject CN of a verified client certificate; undefined if absent or ambiguous (several CNs). */
function certificateIdentity(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

const identities = new WeakMap<object, string>();

/** The identity `authenticate` recorded for a client; '' (which no rule grants) before that. */
function identityOf(client: object | null): string {
  return (client && identities.get(client)) ?? '';
}

function refusal(returnCode: 2 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

function authenticate(log: BrokerLog): Handler<'authenticate'> {
  return (client, _username, _password, done) => {
    const identity = certificateIdentity(client.conn as TLSSocket);
    if (identity === undefined || (!isDeviceIdentity(identity) && identity !== BACKEND_IDENTITY)) {
      log.warn({ identity }, 'mqtt connect refused: unknown identity');
      return done(refusal(5, 'not authorized'), false);
    }
    if (!clientIdAllowed(identity, client.id)) {
      // A device under another client id could take over (and disconnect) that id's session.
      log.warn({ identity }, 'mqtt connect refused: client id does not match the certificate');
      return done(refusal(2, 'identifier rejected'), false);
    }
    identities.set(client, identity);
    done(null, true);
  };
}

function authorizePublish(log: BrokerLog): Handler<'authorizePublish'> {
  return (client, packet, done) => {
    const identity = identityOf(client);
    if (mqttAccess(identity, 'publish', packet.topic)) return done(null);
    // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection, and nothing is delivered.
    log.warn({ identity }, 'mqtt publish refused');
    done(new Error('publish not authorized'));
  };
}

function authorizeSubscribe(log: BrokerLog): Handler<'authorizeSubscribe'> {
  return (client, subscription, done) => {
    const identity = identityOf(client);
    // aedes has no shared subscriptions: it would take `$share/...` as a literal filter that never
    // matches, and the backend would silently receive nothing. Refusing tells it to subscribe plainly.
    if (!subscription.topic.startsWith('$share/') && mqttAccess(identity, 'subscribe', subscription.topic)) {
      return done(null, subscription);
    }
    log.warn({ identity }, 'mqtt subscription refused');
    done(null, null); // SUBACK return code 128 for this filter; the connection stays up
  };
}

/** Revocations as `npm start` applies them: the CRL for new connections, then drop open sessions. */
export function embeddedBrokerControl(broker: EmbeddedBroker): BrokerControl {
  return {
    async applyRevocations({ crlPem, disconnect }) {
      await broker.setRevocationList(crlPem);
      for (const identity of disconnect) await broker.disconnect(identity);
    },
  };
}
