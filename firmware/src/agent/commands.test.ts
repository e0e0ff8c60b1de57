import { describe, expect, it, vi } from 'vitest';
import { CommandDispatcher, CommandError } from './commands.js';

const ID = '5f0e8a52-4b3c-4f5e-8d2a-9c1b7e6f3a10';
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const NOW = new Date('2026-03-01T12:00:00.000Z');

function dispatcher(memory?: number) {
  return new CommandDispatcher({ now: () => NOW, memory });
}

describe('CommandDispatcher', () => {
  it('runs the handler of the command name and acknowledges with its result', async () => {
    const commands = dispatcher();
    const reboot = vi.fn((params: Record<string, unknown>) => ({ delayed: params.delaySeconds }));
    commands.on('reboot', reboot);
    const outcome = await commands.dispatch(json({ id: ID, name: 'reboot', params: { delaySeconds: 5 } }));
    expect(outcome).toEqual({
      kind: 'ack',
      duplicate: false,
      ack: { id: ID, status: 'acknowledged', result: { delayed: 5 } },
    });
    expect(reboot).toHaveBeenCalledWith(
      { delaySeconds: 5 },
      { id: ID, name: 'reboot', params: { delaySeconds: 5 } },
    );
  });

  it('leaves out an undefined result, and takes missing params as {}', async () => {
    const commands = dispatcher();
    commands.on('ping', () => undefined);
    expect(await commands.dispatch(json({ id: ID, name: 'ping' }))).toMatchObject({
      ack: { id: ID, status: 'acknowledged' },
    });
  });

  it('rejects an unknown command name and an expired command without running anything', async () => {
    const commands = dispatcher();
    const handler = vi.fn();
    commands.on('reboot', handler);
    expect(await commands.dispatch(json({ id: 'a', name: 'selfDestruct', params: {} }))).toMatchObject({
      ack: { id: 'a', status: 'rejected', error: 'unknown_command' },
    });
    const expiresAt = new Date(NOW.getTime() - 1).toISOString();
    expect(await commands.dispatch(json({ id: 'b', name: 'reboot', params: {}, expiresAt }))).toMatchObject({
      ack: { id: 'b', status: 'rejected', error: 'expired' },
    });
    const later = new Date(NOW.getTime() + 60_000).toISOString();
    expect(
      await commands.dispatch(json({ id: 'c', name: 'reboot', params: {}, expiresAt: later })),
    ).toMatchObject({
      ack: { id: 'c', status: 'acknowledged' },
    });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('reports a failing handler as failed, with its code if it gives a short one', async () => {
    const commands = dispatcher();
    commands.on('update', () => {
      throw new CommandError('download_failed');
    });
    commands.on('crash', async () => {
      throw new Error('at /opt/custos/secret/path: ENOSPC');
    });
    commands.on('odd', () => 10n);
    expect(await commands.dispatch(json({ id: 'a', name: 'update' }))).toMatchObject({
      ack: { id: 'a', status: 'failed', error: 'download_failed' },
    });
    // Free text from an exception never reaches the platform.
    expect(await commands.dispatch(json({ id: 'b', name: 'crash' }))).toEqual({
      kind: 'ack',
      duplicate: false,
      ack: { id: 'b', status: 'failed', error: 'handler_failed' },
    });
    expect(await commands.dispatch(json({ id: 'c', name: 'odd' }))).toMatchObject({
      ack: { id: 'c', status: 'failed', error: 'handler_failed' },
    });
  });

  it('answers a redelivered id with the earlier ack and does not run the handler again', async () => {
    const commands = dispatcher();
    let runs = 0;
    commands.on('count', () => ++runs);
    const first = await commands.dispatch(json({ id: ID, name: 'count' }));
    const again = await commands.dispatch(json({ id: ID, name: 'count' }));
    expect(runs).toBe(1);
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('holds a redelivery of a command still running until the first run ends', async () => {
    const commands = dispatcher();
    let finish: (value: string) => void = () => {};
    const handler = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
    commands.on('slow', handler);
    const first = commands.dispatch(json({ id: ID, name: 'slow' }));
    const second = commands.dispatch(json({ id: ID, name: 'slow' }));
    await Promise.resolve();
    finish('done');
    expect((await first).kind).toBe('ack');
    expect(await second).toMatchObject({ duplicate: true, ack: { status: 'acknowledged', result: 'done' } });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('remembers only the last ids', async () => {
    const commands = dispatcher(2);
    let runs = 0;
    commands.on('count', () => ++runs);
    for (const id of ['a', 'b', 'c', 'a']) await commands.dispatch(json({ id, name: 'count' }));
    expect(runs).toBe(4);
    await commands.dispatch(json({ id: 'a', name: 'count' }));
    expect(runs).toBe(4);
  });

  it('calls malformed what it cannot answer, and rejects what it can answer but not run', async () => {
    const commands = dispatcher();
    commands.on('reboot', () => 'ok');
    for (const payload of ['{', 'null', '[]', '"x"', '{"name":"reboot"}', `{"id":"${'x'.repeat(129)}"}`]) {
      expect(await commands.dispatch(Buffer.from(payload))).toMatchObject({ kind: 'malformed' });
    }
    expect(await commands.dispatch(Buffer.of(0xff, 0xfe))).toMatchObject({ kind: 'malformed' });
    const invalid = [
      { id: 'a', name: 42 },
      { id: 'b', name: 'reboot', params: [1] },
      { id: 'c', name: 'reboot', expiresAt: 'tomorrow' },
      { id: 'd', name: 'reboot', expiresAt: 1_700_000_000 },
    ];
    for (const command of invalid) {
      expect(await commands.dispatch(json(command))).toMatchObject({
        kind: 'ack',
        ack: { id: command.id, status: 'rejected', error: 'invalid_command' },
      });
    }
  });
});
