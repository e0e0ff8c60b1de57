/**
 * The agent's QoS 1 messages (telemetry, command acks) from the moment they are handed over until the broker
 * acknowledges them. The agent makes a new MQTT connection after every loss, and MQTT.js forgets what the old
 * one had in flight, so the outbox keeps it: unacknowledged messages go back in front of the offline queue,
 * in their order, and are sent again on the next connection (at least once: `seq` lets the platform
 * deduplicate). It also keeps to the broker's flow control: MQTT.js does not honour an MQTT 5 broker's
 * Receive Maximum for what it sends, and a broker that enforces it disconnects a client that exceeds it.
 */
import { AgentError } from './errors.js';
import { OfflineQueue } from './offline-queue.js';

export interface OutgoingMessage {
  topic: string;
  payload: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One connection. `publish` sends QoS 1 and calls back on PUBACK; a negative MQTT 5 PUBACK comes back as an
 * error whose `code` is the reason code (0x80 and above), as MQTT.js reports it.
 */
export interface Link {
  publish(topic: string, payload: string, callback: (error?: Error & { code?: unknown }) => void): void;
  readonly connected: boolean;
  /** How many messages may await their PUBACK at once. */
  readonly maxInflight: number;
}

export interface OutboxCounters {
  /** PUBLISH packets sent, resends after a reconnect included. */
  published: number;
  /** Positive PUBACKs. */
  acked: number;
  /** Negative PUBACKs (MQTT 5), e.g. 135 Not authorized. */
  refused: number;
  /** Dropped from the full offline queue. */
  dropped: number;
}

export class Outbox {
  readonly #queue: OfflineQueue<OutgoingMessage>;
  /** Sent on the current link and not acknowledged yet, in the order sent. */
  readonly #inflight = new Map<OutgoingMessage, Link>();
  #link: Link | undefined;
  #published = 0;
  #acked = 0;
  #refused = 0;

  constructor(limit: number) {
    this.#queue = new OfflineQueue(limit);
  }

  get counters(): OutboxCounters {
    return {
      published: this.#published,
      acked: this.#acked,
      refused: this.#refused,
      dropped: this.#queue.dropped,
    };
  }

  get queued(): number {
    return this.#queue.size;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  add(message: OutgoingMessage): void {
    this.#dropped(this.#queue.push(message));
    this.#pump();
  }

  /** A connection is up: send what is queued, oldest first, before anything newer. */
  attach(link: Link): void {
    this.#link = link;
    this.#pump();
  }

  /** The connection is gone: what it did not acknowledge goes back in front of the queue. */
  detach(): void {
    this.#link = undefined;
    const unacknowledged = [...this.#inflight.keys()];
    this.#inflight.clear();
    this.#dropped(this.#queue.requeue(unacknowledged));
  }

  /** Rejects everything queued or in flight (the agent stops). */
  failAll(error: Error): void {
    const all = [...this.#inflight.keys(), ...this.#queue.drain()];
    this.#inflight.clear();
    for (const message of all) message.reject(error);
  }

  #pump(): void {
    const link = this.#link;
    while (link?.connected && this.#inflight.size < link.maxInflight) {
      const next = this.#queue.shift();
      if (!next) return;
      this.#send(next, link);
    }
  }

  #send(message: OutgoingMessage, link: Link): void {
    this.#inflight.set(message, link);
    this.#published += 1;
    link.publish(message.topic, message.payload, (error) => {
      // A late answer from a connection already given up: the message was requeued and belongs to another.
      if (this.#inflight.get(message) !== link) return;
      if (!error) {
        this.#inflight.delete(message);
        this.#acked += 1;
        message.resolve();
      } else if (typeof error.code === 'number' && error.code >= 0x80) {
        this.#inflight.delete(message);
        this.#refused += 1;
        message.reject(
          new AgentError('refused', `the broker refused the message: ${error.message}`, error.code),
        );
      } else if (link.connected) {
        // Not a lost connection (those are retried): the message itself cannot be sent.
        this.#inflight.delete(message);
        message.reject(new AgentError('publish_failed', error.message));
      }
      this.#pump();
    });
  }

  #dropped(messages: OutgoingMessage[]): void {
    for (const message of messages) {
      message.reject(new AgentError('dropped', 'the offline queue was full; the oldest message was dropped'));
    }
  }
}
