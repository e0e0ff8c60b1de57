/**
 * The devices of `npm run bench:ingest`, in a child process of their own (so that its CPU shows
 * apart from the broker's and the backend's): one plain MQTT.js 5 client per device, each with its
 * own certificate and key over mutual TLS, publishing QoS 1 telemetry at a paced total rate.
 * Driven by the parent over IPC; plain TypeScript run by Node's type stripping.
 *
 * Pacing: every 5 ms the generator publishes what the target rate says is due by now, round robin
 * over the devices. A tick that falls more than 50 ms behind does not catch up in a burst: what it
 * could not send is counted as `skipped`, and the offered rate reported is what was really sent
 * (unless `catchUp` asks for every message, as when filling a backlog).
 *
 * Payload: the platform's envelope `{"seq","ts","metrics"}` with a CX-Temp 2's three metrics at
 * full double precision, padded with JSON whitespace to 300 bytes (the envelope is strict, so
 * there is no other room). `ts` is the time of the publish call, so measured_at is publish time.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Identity {
  id: string;
  chainPem: string;
  keyPem: string;
}

export type GeneratorCommand =
  | {
      type: 'connect';
      url: string;
      trustPem: string;
      identities: Identity[];
      concurrency: number;
      protocolVersion: 4 | 5;
    }
  | { type: 'keep'; count: number }
  | {
      type: 'run';
      rate: number;
      seconds: number;
      /** `telemetry` for Custos, `state` for the baseline consumer (same broker work, other subscriber). */
      topic: 'telemetry' | 'state';
      seqBase: number;
      probeEvery: number;
      /** Publish every message the rate asks for, however late (filling a backlog), instead of skipping. */
      catchUp?: boolean;
    }
  | { type: 'trickle'; topic: 'telemetry' | 'state'; seqBase: number }
  | { type: 'stopTrickle' }
  | { type: 'close' };

export interface ConnectResult {
  type: 'connected';
  connected: number;
  failed: number;
  firstError: string | null;
  seconds: number;
  /** Per-connection time from the connect call to CONNACK, ms (sorted). */
  p50Ms: number;
  p99Ms: number;
}

export interface RunResult {
  type: 'ran';
  published: number;
  acked: number;
  refused: number;
  errors: number;
  skipped: number;
  disconnects: number;
  firstError: string | null;
  /** When the publishing window began, ms since the epoch. */
  startedAt: number;
  /** Wall time of the publishing window, s. */
  seconds: number;
  /** Time from the window's end until the last PUBACK arrived, s. */
  ackTailSeconds: number;
}

/** Probe messages as [device index, seq, publish time in ms since the epoch]. */
export interface ProbeBatch {
  type: 'probes';
  items: Array<[number, number, number]>;
}

export const PAYLOAD_BYTES = 300;

const send = (message: unknown) => process.send?.(message);
let clients: MqttClient[] = [];
let disconnects = 0;
let trickle: { timer: NodeJS.Timeout; published: number; acked: number } | undefined;

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);

async function connect(command: Extract<GeneratorCommand, { type: 'connect' }>): Promise<ConnectResult> {
  // A device has its credentials loaded before it dials: PEM parsing is not part of the handshake.
  const contexts: SecureContext[] = command.identities.map((identity) =>
    createSecureContext({ ca: command.trustPem, cert: identity.chainPem, key: identity.keyPem }),
  );
  const times: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const started = performance.now();
  const results: Array<MqttClient | undefined> = new Array(command.identities.length);
  const dial = (index: number) =>
    new Promise<void>((resolve) => {
      const identity = command.identities[index] as Identity;
      const begun = performance.now();
      // MQTT.js hands its options to tls.connect, which takes a ready secure context.
      const options: IClientOptions & { secureContext?: SecureContext } = {
        clientId: identity.id,
        protocolVersion: command.protocolVersion,
        secureContext: contexts[index],
        servername: 'localhost',
        rejectUnauthorized: true,
        clean: true,
        keepalive: 120,
        reconnectPeriod: 0,
        connectTimeout: 60_000,
      };
      const client = mqtt.connect(command.url, options);
      let settled = false;
      const fail = (error: Error | string) => {
        if (settled) return;
        settled = true;
        failed++;
        firstError ??= String(error);
        client.end(true);
        resolve();
      };
      client.on('error', (error) => {
        if (!settled) fail(error);
        else firstError ??= String(error);
      });
      client.on('close', () => {
        if (!settled) fail('closed before CONNACK');
        else disconnects++;
      });
      client.once('connect', () => {
        if (settled) return;
        settled = true;
        times.push(performance.now() - begun);
        results[index] = client;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: Math.min(command.concurrency, command.identities.length) }, async () => {
      while (next < command.identities.length) await dial(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clients = results.filter((c): c is MqttClient => c !== undefined);
  times.sort((a, b) => a - b);
  return {
    type: 'connected',
    connected: clients.length,
    failed,
    firstError,
    seconds,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
  };
}

/** A CX-Temp 2 reading: the envelope, padded with whitespace to PAYLOAD_BYTES. */
function payload(seq: number, ts: number): string {
  const temperature = 2 + Math.random() * 6;
  const humidity = 30 + Math.random() * 40;
  const battery = 40 + Math.random() * 60;
  return `{"seq":${seq},"ts":"${new Date(ts).toISOString()}","metrics":{"temperature":${temperature},"humidity":${humidity},"battery":${battery}}}`.padEnd(
    PAYLOAD_BYTES,
    ' ',
  );
}

function topicOf(client: MqttClient, topic: 'telemetry' | 'state'): string {
  return `devices/${client.options.clientId}/${topic}`;
}

async function run(command: Extract<GeneratorCommand, { type: 'run' }>): Promise<RunResult> {
  const n = clients.length;
  const topics = clients.map((client) => topicOf(client, command.topic));
  const seqs = new Array<number>(n).fill(command.seqBase);
  const result: RunResult = {
    type: 'ran',
    published: 0,
    acked: 0,
    refused: 0,
    errors: 0,
    skipped: 0,
    disconnects: 0,
    firstError: null,
    startedAt: 0,
    seconds: 0,
    ackTailSeconds: 0,
  };
  const disconnectsBefore = disconnects;
  let outstanding = 0;
  let allAcked: (() => void) | undefined;
  const onAck = (error?: Error & { code?: number }) => {
    outstanding--;
    if (!error) result.acked++;
    else if (typeof error.code === 'number' && error.code >= 0x80) result.refused++;
    else result.errors++;
    if (error) result.firstError ??= String(error);
    if (outstanding === 0) allAcked?.();
  };
  let probes: ProbeBatch['items'] = [];
  const flushProbes = setInterval(() => {
    if (probes.length === 0) return;
    send({ type: 'probes', items: probes } satisfies ProbeBatch);
    probes = [];
  }, 20);

  const windowMs = command.seconds * 1000;
  const total = Math.round(command.rate * command.seconds);
  const maxBehind = Math.max(1, Math.ceil(command.rate * 0.05));
  let sent = 0; // published + skipped
  let cursor = 0;
  const started = performance.now();
  const startedEpoch = Date.now();
  result.startedAt = startedEpoch;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((command.rate * Math.min(elapsed, windowMs)) / 1000));
      if (due - sent > maxBehind && !command.catchUp) {
        result.skipped += due - sent - maxBehind;
        sent = due - maxBehind;
      }
      // At most 50 ms worth per tick, so that acknowledgements are read between ticks.
      const until = Math.min(due, sent + maxBehind);
      for (; sent < until; sent++) {
        const index = cursor;
        cursor = cursor + 1 === n ? 0 : cursor + 1;
        const client = clients[index] as MqttClient;
        const seq = (seqs[index] as number) + 1;
        seqs[index] = seq;
        const ts = startedEpoch + (performance.now() - started);
        outstanding++;
        result.published++;
        client.publish(topics[index] as string, payload(seq, ts), { qos: 1 }, onAck);
        if (result.published % command.probeEvery === 0) probes.push([index, seq, Math.floor(ts)]);
      }
      if (elapsed >= windowMs && sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 5);
  });
  result.seconds = (performance.now() - started) / 1000;
  const windowEnd = performance.now();
  if (outstanding > 0) {
    await Promise.race([
      new Promise<void>((resolve) => {
        allAcked = resolve;
      }),
      new Promise((resolve) => setTimeout(resolve, 60_000)),
    ]);
  }
  result.ackTailSeconds = (performance.now() - windowEnd) / 1000;
  clearInterval(flushProbes);
  if (probes.length > 0) send({ type: 'probes', items: probes } satisfies ProbeBatch);
  result.errors += outstanding; // never acknowledged within a minute
  result.disconnects = disconnects - disconnectsBefore;
  return result;
}

function startTrickle(command: Extract<GeneratorCommand, { type: 'trickle' }>): void {
  const client = clients[0] as MqttClient;
  const state = { timer: undefined as unknown as NodeJS.Timeout, published: 0, acked: 0 };
  state.timer = setInterval(() => {
    state.published++;
    client.publish(
      topicOf(client, command.topic),
      payload(command.seqBase + state.published, Date.now()),
      { qos: 1 },
      (error) => {
        if (!error) state.acked++;
      },
    );
  }, 100);
  trickle = state;
}

async function closeAll(list: MqttClient[]): Promise<void> {
  await Promise.all(list.map((client) => client.endAsync(true).catch(() => undefined)));
}

process.on('message', (command: GeneratorCommand) => {
  void (async () => {
    switch (command.type) {
      case 'connect':
        send(await connect(command));
        break;
      case 'keep': {
        const extra = clients.splice(command.count);
        await closeAll(extra);
        send({ type: 'kept', count: clients.length });
        break;
      }
      case 'run':
        send(await run(command));
        break;
      case 'trickle':
        startTrickle(command);
        send({ type: 'trickling' });
        break;
      case 'stopTrickle':
        clearInterval(trickle?.timer);
        send({ type: 'trickled', published: trickle?.published ?? 0, acked: trickle?.acked ?? 0 });
        trickle = undefined;
        break;
      case 'close':
        await closeAll(clients);
        clients = [];
        send({ type: 'closed' });
        process.disconnect?.();
        break;
    }
  })().catch((error: unknown) => {
    send({ type: 'failed', error: String((error as Error)?.stack ?? error) });
  });
});
send({ type: 'ready' });
