/**
 * The two buffers of the bundle writer: the byte stream it hands out, which lets a slow reader slow the
 * writer down, and the reused buffers in which a chunk's files are built.
 */

import { Readable } from 'node:stream';
import { BUNDLE_ROOT } from './format.js';
import { USTAR_END, ustarHeader, ustarPadding } from './ustar.js';

/**
 * The archive byte stream. write() resolves once the reader has room again, so a slow reader slows the
 * writer down (and so the reading of rows), and rejects once the reader has gone away.
 */
export class ArchiveOutput {
  readonly stream: Readable;
  private resume: (() => void) | null = null;
  private closed = false;

  constructor() {
    this.stream = new Readable({
      read: () => this.wake(),
      destroy: (error, callback) => {
        this.closed = true;
        this.wake();
        callback(error);
      },
    });
  }

  /** Appends one member: its canonical header, its data and the zero padding to the block boundary. */
  async member(name: string, data: Buffer): Promise<void> {
    await this.write(ustarHeader(`${BUNDLE_ROOT}/${name}`, data.length));
    if (data.length > 0) await this.write(data);
    const padding = ustarPadding(data.length);
    if (padding.length > 0) await this.write(padding);
  }

  end(): void {
    if (this.closed) return;
    this.stream.push(USTAR_END);
    this.stream.push(null);
  }

  fail(error: unknown): void {
    this.stream.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  private async write(bytes: Buffer): Promise<void> {
    if (!this.closed && !this.stream.push(bytes)) {
      await new Promise<void>((resolve) => {
        this.resume = resolve;
      });
    }
    if (this.closed) throw new Error('the reader of the bundle went away');
  }

  private wake(): void {
    const resume = this.resume;
    this.resume = null;
    resume?.();
  }
}

/**
 * A growing UTF-8 buffer. Text is copied in as it arrives, so the chunk holds bytes rather than the
 * caller's strings (a string sliced from a larger one would keep that whole string alive). One builder
 * per chunk file serves every chunk in turn: reusing it spares the collector a chunk-sized buffer per
 * chunk, which would otherwise pile up between collections and set the peak memory.
 */
export class ByteBuilder {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  append(text: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    let needed = this.length + 3 * text.length;
    if (needed > this.buffer.length) needed = this.length + Buffer.byteLength(text, 'utf8');
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.ceil(1.5 * this.buffer.length)));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** The bytes so far; valid until the next reset(). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}
