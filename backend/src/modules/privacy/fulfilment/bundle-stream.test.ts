/** Bundles stored in parts of a fixed size, hashed on the way, written through a zip that never waits forever. */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { unzip } from '../../../../../tests/privacy/fulfilment-support.js';
import { BundleParts } from './bundle-parts.js';
import { ZipStream } from './zip-stream.js';

const stored = () => {
  const parts: Buffer[] = [];
  const store = async (part: number, data: Buffer) => {
    parts[part] = Buffer.from(data);
  };
  return { parts, store };
};

describe('BundleParts', () => {
  it('cuts the stream into parts of exactly the part size, the last one shorter, and hashes it whole', async () => {
    const { parts, store } = stored();
    const sink = new BundleParts(store, 10);
    const chunks = [Buffer.from('abcdefg'), Buffer.from('hijklmnopqrstuvwxy'), Buffer.from('z0123')];
    await pipeline(Readable.from(chunks), sink);
    const all = Buffer.concat(chunks);
    expect(parts.map((p) => p.toString())).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz0123']);
    expect(sink.result()).toEqual({
      bytes: 30,
      sha256: createHash('sha256').update(all).digest('hex'),
      parts: 3,
    });
  });

  it('stores a short stream as one part', async () => {
    const { parts, store } = stored();
    const sink = new BundleParts(store, 1024);
    await pipeline(Readable.from([Buffer.from('tiny')]), sink);
    expect(parts.map(String)).toEqual(['tiny']);
  });

  it('fails the stream when a part cannot be stored', async () => {
    const sink = new BundleParts(async () => {
      throw new Error('database gone');
    }, 4);
    await expect(pipeline(Readable.from([Buffer.from('12345678')]), sink)).rejects.toThrow('database gone');
  });
});

describe('ZipStream', () => {
  it('writes entries one after another and measures each', async () => {
    const { parts, store } = stored();
    const sink = new BundleParts(store, 64);
    const zip = new ZipStream(sink, new AbortController().signal, new Date('2026-01-01T00:00:00Z'));
    const big = 'x'.repeat(200_000); // more than the stream buffers: the writes wait for the sink
    async function* chunks() {
      yield big;
      yield Buffer.from('!');
    }
    const first = await zip.entry('a.txt', chunks());
    const second = await zip.entry('b/c.json', ['[', '1', ']']);
    await zip.finish();
    const files = unzip(Buffer.concat(parts));
    expect(files.get('a.txt')?.toString()).toBe(`${big}!`);
    expect(files.get('b/c.json')?.toString()).toBe('[1]');
    expect(first).toEqual({ bytes: 200_001, sha256: createHash('sha256').update(`${big}!`).digest('hex') });
    expect(second.bytes).toBe(3);
  });

  it('ends a write waiting on the sink with the sink’s failure', async () => {
    const sink = new Writable({
      write(_chunk, _encoding, done) {
        setTimeout(() => done(new Error('disk full')), 5);
      },
    });
    const zip = new ZipStream(sink, new AbortController().signal, new Date());
    const write = async () => {
      for (let i = 0; i < 50; i++)
        await zip.entry(`${i}.txt`, [
          Buffer.from(createHash('sha512').update(String(i)).digest('hex').repeat(2000)),
        ]);
      await zip.finish();
    };
    await expect(write()).rejects.toThrow('disk full');
  });

  it('stops when the job is cancelled', async () => {
    const stop = new AbortController();
    const { store } = stored();
    const zip = new ZipStream(new BundleParts(store), stop.signal, new Date());
    async function* endless() {
      for (;;) {
        yield 'z'.repeat(100_000);
        stop.abort(new Error('shutdown'));
      }
    }
    await expect(zip.entry('a.txt', endless())).rejects.toThrow('shutdown');
  });
});
