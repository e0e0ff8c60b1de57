/**
 * A zip archive written entry by entry into a sink, never held in memory: each entry's content is
 * pushed as it is produced, with backpressure all the way to the sink (yazl deflates, the sink stores).
 * Each entry's size and SHA-256 (of its uncompressed content) are measured on the way, for the
 * bundle's manifest. A failure anywhere (the sink, the archive, the job being stopped) ends every
 * wait with that failure instead of leaving a write waiting for a drain that never comes.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ZipFile } from 'yazl';

/**
 * Level 1: a million telemetry rows (220 MB of JSON and CSV) compress to 18 MB, against 17 MB at
 * zlib's default level 6, for about a quarter of the CPU time.
 */
const COMPRESSION_LEVEL = 1;

export interface EntryDigest {
  bytes: number;
  sha256: string;
}

export class ZipStream {
  private readonly zip = new ZipFile();
  private readonly stop = new AbortController();

  constructor(
    private readonly sink: Writable,
    signal: AbortSignal,
    private readonly mtime: Date,
  ) {
    const fail = (error: unknown) => this.stop.abort(error);
    this.zip.on('error', fail);
    sink.on('error', fail);
    if (signal.aborted) fail(signal.reason);
    else signal.addEventListener('abort', () => fail(signal.reason), { once: true });
    this.zip.outputStream.pipe(sink);
  }

  /** Writes one entry from its chunks (strings are UTF-8); resolves when all of it is accepted. */
  async entry(
    name: string,
    chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  ): Promise<EntryDigest> {
    this.throwIfStopped();
    const content = new PassThrough();
    this.zip.addReadStream(content, name, { mtime: this.mtime, compressionLevel: COMPRESSION_LEVEL });
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (buffer.length === 0) continue;
      hash.update(buffer);
      bytes += buffer.length;
      if (!content.write(buffer)) await this.wait(once(content, 'drain', { signal: this.stop.signal }));
      this.throwIfStopped();
    }
    content.end();
    return { bytes, sha256: hash.digest('hex') };
  }

  /** Writes the central directory and waits until the sink has stored everything. */
  async finish(): Promise<void> {
    this.throwIfStopped();
    this.zip.end();
    await this.wait(finished(this.sink, { signal: this.stop.signal }));
  }

  /** Stops writing after a failure elsewhere; what was stored stays for the caller to clean up. */
  abort(reason: unknown): void {
    this.stop.abort(reason);
    this.zip.outputStream.unpipe(this.sink);
    this.zip.outputStream.destroy();
    this.sink.destroy();
  }

  private async wait(promise: Promise<unknown>): Promise<void> {
    try {
      await promise;
    } catch (error) {
      this.throwIfStopped();
      throw error;
    }
  }

  private throwIfStopped(): void {
    if (this.stop.signal.aborted) throw this.stop.signal.reason;
  }
}
