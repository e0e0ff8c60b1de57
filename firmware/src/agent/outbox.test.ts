/** The outbox over a scripted connection: acks, refusals, resends after a lost connection, drops. */
import { describe, expect, it } from 'vitest';
import { AgentError } from './errors.js';
import { type Link, Outbox, type OutgoingMessage } from './outbox.js';

type Callback = Parameters<Link['publish']>[2];

class ScriptedLink implements Link {
  connected = true;
  constructor(readonly maxInflight = 100) {}
  readonly sent: { payload: string; callback: Callback }[] = [];
  publish(_topic: string, payload: string, callback: Callback): void {
    this.sent.push({ payload, callback });
  }
  payloads(): string[] {
    return this.sent.map((entry) => entry.payload);
  }
}

function message(payload: string) {
  const result: { settled?: 'resolved' | AgentError } = {};
  const entry: OutgoingMessage = {
    topic: 't',
    payload,
    resolve: () => (result.settled = 'resolved'),
    reject: (error) => (result.settled = error as AgentError),
  };
  return { entry, result };
}

describe('Outbox', () => {
  it('sends at once when connected and settles on PUBACK', () => {
    const outbox = new Outbox(10);
    const link = new ScriptedLink();
    outbox.attach(link);
    const { entry, result } = message('1');
    outbox.add(entry);
    expect(link.payloads()).toEqual(['1']);
    link.sent[0]?.callback();
    expect(result.settled).toBe('resolved');
    expect(outbox.counters).toEqual({ published: 1, acked: 1, refused: 0, dropped: 0 });
  });

  it('rejects a negative PUBACK with its reason code', () => {
    const outbox = new Outbox(10);
    const link = new ScriptedLink();
    outbox.attach(link);
    const { entry, result } = message('1');
    outbox.add(entry);
    link.sent[0]?.callback(Object.assign(new Error('Publish error: Not authorized'), { code: 135 }));
    expect(result.settled).toMatchObject({ code: 'refused', reasonCode: 135 });
    expect(outbox.counters.refused).toBe(1);
  });

  it('resends what a lost connection left unacknowledged, before what was queued since, in order', () => {
    const outbox = new Outbox(10);
    const first = new ScriptedLink();
    outbox.attach(first);
    const messages = ['1', '2', '3'].map(message);
    for (const { entry } of messages) outbox.add(entry);
    first.sent[0]?.callback();
    first.connected = false;
    outbox.detach();
    const later = message('4');
    outbox.add(later.entry);
    expect(outbox.queued).toBe(3);
    // A late callback from the old connection settles nothing.
    first.sent[1]?.callback();
    expect(messages[1]?.result.settled).toBeUndefined();

    const second = new ScriptedLink();
    outbox.attach(second);
    expect(second.payloads()).toEqual(['2', '3', '4']);
    for (const { callback } of second.sent) callback();
    expect([...messages, later].map(({ result }) => result.settled)).toEqual(Array(4).fill('resolved'));
    expect(outbox.counters).toMatchObject({ published: 6, acked: 4 });
  });

  it('drops the oldest message when the queue is full, and rejects it', () => {
    const outbox = new Outbox(2);
    const messages = ['1', '2', '3'].map(message);
    for (const { entry } of messages) outbox.add(entry);
    expect(messages[0]?.result.settled).toMatchObject({ code: 'dropped' });
    expect(outbox.counters.dropped).toBe(1);
    const link = new ScriptedLink();
    outbox.attach(link);
    expect(link.payloads()).toEqual(['2', '3']);
  });

  it('keeps at most the in-flight window unacknowledged, sending the next on each PUBACK, in order', () => {
    const outbox = new Outbox(10);
    const link = new ScriptedLink(2);
    outbox.attach(link);
    for (const payload of ['1', '2', '3', '4', '5']) outbox.add(message(payload).entry);
    expect(link.payloads()).toEqual(['1', '2']);
    expect(outbox.queued).toBe(3);
    link.sent[1]?.callback();
    expect(link.payloads()).toEqual(['1', '2', '3']);
    link.sent[0]?.callback(Object.assign(new Error('refused'), { code: 0x87 }));
    expect(link.payloads()).toEqual(['1', '2', '3', '4']);
    expect(outbox.inflight).toBe(2);
  });

  it('rejects a message the client library cannot send while still connected', () => {
    const outbox = new Outbox(10);
    const link = new ScriptedLink();
    outbox.attach(link);
    const { entry, result } = message('x');
    outbox.add(entry);
    link.sent[0]?.callback(new Error('Packet too large'));
    expect(result.settled).toMatchObject({ code: 'publish_failed' });
    expect(outbox.inflight).toBe(0);
  });

  it('fails everything pending when told to', () => {
    const outbox = new Outbox(10);
    const link = new ScriptedLink();
    outbox.attach(link);
    const sent = message('1');
    outbox.add(sent.entry);
    outbox.detach();
    const queued = message('2');
    outbox.add(queued.entry);
    outbox.failAll(new AgentError('stopped', 'stopped'));
    expect([sent.result.settled, queued.result.settled]).toMatchObject([
      { code: 'stopped' },
      { code: 'stopped' },
    ]);
  });
});
