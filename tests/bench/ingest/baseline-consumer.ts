/**
 * The baseline of `npm run bench:ingest`: a bare MQTT → PostgreSQL consumer, in a child process
 * of its own. A plain MQTT.js 5 subscriber with the backend's identity (CN `custos-backend`) on a
 * shared subscription, and nothing else: no JSON parsing or validation, no device lookup, no
 * policies or audit, no NestJS. It keeps the platform's delivery contract so that the two compare
 * like with like: the same batching (up to 1000 messages or 20 ms, one commit at a time), the same
 * Receive Maximum (5000), and PUBACK only after the commit (the backend's own
 * `deferAcknowledgements`). Rows go in with one multi-row `INSERT … SELECT unnest(…)` per batch
 * (pg-copy-streams, for COPY, is not installed), as the non-owner application role, into a plain
 * table `(topic, payload jsonb, received_at default now())`: PostgreSQL still parses the JSON.
 */
import mqtt from 'mqtt';
import pg from 'pg';
import {
  type DeferredMessage,
  deferAcknowledgements,
} from '../../../backend/dist/core/mqtt/deferred-acks.js';

export interface BaselineSettings {
  url: string;
  trustPem: string;
  cert: string;
  key: string;
  databaseUrl: string;
  filter: string;
  batchSize: number;
  batchWaitMs: number;
  receiveMaximum: number;
}

/**
 * `subscribe` connects and subscribes: with a clean session that ends at the disconnect, or with a
 * `persistent` one (as the API's) that the broker keeps, queueing messages while the consumer is
 * away. `unsubscribe` disconnects; with `endSession` it then ends a persistent session too, so
 * that the broker keeps nothing for the baseline while Custos is measured.
 */
export type BaselineCommand =
  | ({ type: 'subscribe'; persistent: boolean } & BaselineSettings)
  | { type: 'unsubscribe'; endSession: boolean }
  | { type: 'stats' }
  | { type: 'stop' };

export interface BaselineStats {
  type: 'stats';
  committed: number;
  batches: number;
  failures: number;
  firstError: string | null;
}

const send = (message: unknown) => process.send?.(message);
const stats: BaselineStats = { type: 'stats', committed: 0, batches: 0, failures: 0, firstError: null };
let client: mqtt.MqttClient | undefined;
let pool: pg.Pool | undefined;
let current: BaselineSettings | undefined;
const CLIENT_ID = 'custos-backend-bench-baseline';

/** Ends the persistent session: a clean start with no expiry, then a disconnect. */
async function endSession(settings: BaselineSettings): Promise<void> {
  const session = await mqtt.connectAsync(settings.url, {
    ca: settings.trustPem,
    cert: settings.cert,
    key: settings.key,
    servername: 'localhost',
    clientId: CLIENT_ID,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: 0 },
  });
  await session.endAsync();
}

async function subscribe(settings: BaselineSettings, persistent: boolean): Promise<void> {
  current = settings;
  if (!pool) {
    pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 2 });
    pool.on('error', (error) => (stats.firstError ??= String(error)));
  }
  const db = pool;
  const queue: DeferredMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  let draining = false;

  const commit = async (batch: DeferredMessage[]) => {
    for (;;) {
      try {
        await db.query(
          'INSERT INTO bench_baseline_telemetry (topic, payload) SELECT * FROM unnest($1::text[], $2::jsonb[])',
          [batch.map((m) => m.topic), batch.map((m) => m.payload.toString('utf8'))],
        );
        for (const message of batch) message.acknowledge();
        stats.committed += batch.length;
        stats.batches++;
        return;
      } catch (error) {
        stats.failures++;
        stats.firstError ??= String(error);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  const kick = () => {
    clearTimeout(timer);
    timer = undefined;
    if (draining) return;
    draining = true;
    void (async () => {
      while (queue.length > 0) await commit(queue.splice(0, settings.batchSize));
      draining = false;
    })();
  };

  const mqttClient = mqtt.connect(settings.url, {
    ca: settings.trustPem,
    cert: settings.cert,
    key: settings.key,
    servername: 'localhost',
    clientId: CLIENT_ID,
    protocolVersion: 5,
    clean: !persistent,
    keepalive: 30,
    reconnectPeriod: 1000,
    properties: { sessionExpiryInterval: persistent ? 3600 : 0, receiveMaximum: settings.receiveMaximum },
  });
  client = mqttClient;
  deferAcknowledgements(mqttClient, (message: DeferredMessage) => {
    queue.push(message);
    if (queue.length >= settings.batchSize) kick();
    else timer ??= setTimeout(kick, settings.batchWaitMs);
  });
  mqttClient.on('error', (error) => (stats.firstError ??= String(error)));
  await new Promise<void>((resolve, reject) => {
    mqttClient.once('connect', () => {
      mqttClient.subscribe(settings.filter, { qos: 1 }, (error, granted) => {
        if (error || granted?.some((g) => g.qos > 2)) reject(error ?? new Error('subscription refused'));
        else resolve();
      });
    });
  });
}

process.on('message', (command: BaselineCommand) => {
  void (async () => {
    switch (command.type) {
      case 'subscribe':
        await subscribe(command, command.persistent);
        send({ type: 'subscribed' });
        break;
      case 'unsubscribe':
        await client?.endAsync(true).catch(() => undefined);
        client = undefined;
        if (command.endSession && current) await endSession(current);
        send({ type: 'unsubscribed' });
        break;
      case 'stats':
        send(stats);
        break;
      case 'stop':
        await client?.endAsync(true).catch(() => undefined);
        await pool?.end();
        send({ type: 'stopped' });
        process.disconnect?.();
        break;
    }
  })().catch((error: unknown) => send({ type: 'failed', error: String((error as Error)?.stack ?? error) }));
});
send({ type: 'ready' });
