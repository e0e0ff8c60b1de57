/**
 * QoS 1 acknowledgements sent only when the caller says so: after the message is committed to the
 * database. MQTT.js acknowledges as soon as `handleMessage` calls back, and it handles one incoming
 * packet at a time until then, so holding the callback would also stall the connection (one commit
 * per message). Instead the callback runs at once and the PUBACK it produces is held back here
 * until `release`; the connection keeps flowing up to the broker's in-flight limit (Receive Maximum).
 *
 * What is never acknowledged is redelivered by the broker when the persistent session resumes, so
 * a crash between commit and PUBACK costs a duplicate (written idempotently), never a loss. PUBACKs
 * held when a connection drops are discarded, not sent on the next connection: the broker resends
 * those messages and they are acknowledged again after their (idempotent) commit.
 *
 * This hooks MQTT.js's internal `_sendPacket` (pinned version, covered by tests/mqtt tests and the
 * SIGKILL test in tests/devices); docs/adr/0017-telemetry-ack-after-commit.md says why.
 */
import type { IPublishPacket, MqttClient, Packet } from 'mqtt';

type SendPacket = (packet: Packet, callback?: (error?: Error) => void, ...rest: unknown[]) => void;

export interface DeferredMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  /** Sends the PUBACK if the connection that carried the message is still open; else a no-op. */
  acknowledge(): void;
}

export function deferAcknowledgements(
  client: MqttClient,
  onMessage: (message: DeferredMessage) => void,
): void {
  const internals = client as unknown as { _sendPacket: SendPacket };
  const send = internals._sendPacket.bind(client);
  /** Message ids received on the current connection whose PUBACK the application still holds. */
  let awaiting = new Set<number>();
  let connection = 0;

  internals._sendPacket = (packet, callback, ...rest) => {
    if (packet.cmd === 'puback' && packet.messageId !== undefined && awaiting.has(packet.messageId)) {
      // Swallowed now; the real one goes out in acknowledge().
      callback?.();
      return;
    }
    send(packet, callback, ...rest);
  };
  client.on('close', () => {
    connection += 1;
    awaiting = new Set();
  });
  client.handleMessage = (packet: IPublishPacket, callback) => {
    const { messageId, qos } = packet;
    if (qos === 1 && messageId !== undefined) {
      const carriedBy = connection;
      const pending = awaiting;
      pending.add(messageId);
      onMessage({
        topic: packet.topic,
        payload: toBuffer(packet.payload),
        qos,
        acknowledge: () => {
          if (carriedBy !== connection || !pending.delete(messageId) || !client.connected) return;
          send({ cmd: 'puback', messageId, reasonCode: 0 });
        },
      });
    } else {
      onMessage({
        topic: packet.topic,
        payload: toBuffer(packet.payload),
        qos,
        acknowledge: () => undefined,
      });
    }
    callback();
  };
}

const toBuffer = (payload: string | Buffer): Buffer =>
  typeof payload === 'string' ? Buffer.from(payload) : payload;
