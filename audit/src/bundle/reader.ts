/**
 * Streaming reader for bundle archives: gunzips, untars and hands out the files one at a time, hashing
 * each body as it is read. Nothing is buffered beyond what the caller keeps, so a bundle of any size is
 * read in constant memory. Damage to the archive itself (gzip, tar) is
 * turned into a BundleError with a plain-language reason instead of a crash.
 */

import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { BUNDLE_ROOT, type FileRecord } from './format.js';

/** A reason the bundle does not verify, with the file (and event seq) it is about. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly seq?: number,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Damage to the archive itself: nothing after it can be read, so verification stops there. */
export class ArchiveError extends BundleError {}

function corrupt(layer: 'gzip' | 'tar', error: unknown): ArchiveError {
  return new ArchiveError(
    `the archive is corrupt (${layer}: ${error instanceof Error ? error.message : error})`,
  );
}

/** One file of the archive; read its body once, through chunks(), then call finish(). */
export class ArchiveFile {
  private readonly hash: Hash = createHash('sha256');
  private readonly iterator: AsyncIterator<Buffer>;
  private bytes = 0;
  private ended = false;
  private record?: FileRecord;

  constructor(
    readonly path: string,
    readonly size: number,
    entry: AsyncIterable<Buffer>,
    private readonly failure: () => ArchiveError | undefined,
  ) {
    // A manual iterator: breaking out of chunks() must not destroy the entry (that would end the tar).
    this.iterator = entry[Symbol.asyncIterator]();
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) yield chunk;
  }

  /** Reads what the caller left unread and returns the file's size and SHA-256. */
  async finish(): Promise<FileRecord> {
    while ((await this.next()) !== null) {}
    this.record ??= { path: this.path, bytes: this.bytes, sha256: this.hash.digest('hex') };
    return this.record;
  }

  private async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      throw this.failure() ?? corrupt('tar', error);
    }
    if (result.done) {
      this.ended = true;
      return null;
    }
    this.hash.update(result.value);
    this.bytes += result.value.length;
    return result.value;
  }
}

/** The files of a bundle archive in archive order, paths without the `custos-audit-bundle/` prefix. */
export async function* readArchive(archive: Readable): AsyncGenerator<ArchiveFile> {
  const gunzip = createGunzip();
  const extract = tar.extract();
  let failure: ArchiveError | undefined;
  // The first error wins: pipeline then destroys the other streams, whose errors are only echoes.
  archive.on('error', (e) => {
    failure ??= new ArchiveError(`the archive could not be read (${e.message})`);
  });
  gunzip.on('error', (e) => {
    failure ??= corrupt('gzip', e);
  });
  extract.on('error', (e: Error) => {
    failure ??= corrupt('tar', e);
  });
  pipeline(archive, gunzip, extract, () => {});
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type === 'directory') {
        for await (const _ of entry) {
          // A directory has no body; draining keeps the tar stream moving.
        }
        continue;
      }
      const prefix = `${BUNDLE_ROOT}/`;
      if (!name.startsWith(prefix)) {
        throw new ArchiveError(`the archive holds ${name}, outside ${prefix}`, name);
      }
      const path = name.slice(prefix.length);
      if (type !== 'file') throw new ArchiveError(`${path} is a ${type}, not a regular file`, path);
      const file = new ArchiveFile(path, size ?? 0, entry as AsyncIterable<Buffer>, () => failure);
      yield file;
      await file.finish();
    }
  } catch (error) {
    if (error instanceof BundleError) throw error;
    throw failure ?? corrupt('tar', error);
  } finally {
    extract.destroy();
    archive.destroy();
  }
  if (failure) throw failure;
}

/** Splits a byte stream into `\n`-terminated lines (without the `\n`); end() returns an unterminated rest. */
export class LineSplitter {
  private rest: Buffer | null = null;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, end);
      lines.push(this.rest === null ? piece : Buffer.concat([this.rest, piece]));
      this.rest = null;
      start = end + 1;
    }
    if (start < chunk.length) {
      const piece = chunk.subarray(start);
      this.rest = this.rest === null ? Buffer.from(piece) : Buffer.concat([this.rest, piece]);
      if (this.rest.length > this.maxLine) {
        throw new RangeError(`a line is longer than ${this.maxLine} bytes`);
      }
    }
    return lines;
  }

  end(): Buffer | null {
    return this.rest;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses the bytes of a JSON file of the bundle; a BundleError about `file` if they are not UTF-8 JSON. */
export function parseJsonFile(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw new BundleError(`${file} is not valid UTF-8 JSON (${(error as Error).message})`, file);
  }
}

/** The whole body of a small file (JSON, proofs), refusing anything larger than `limit` bytes. */
export async function readSmallFile(file: ArchiveFile, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of file.chunks()) {
    length += chunk.length;
    if (length > limit) {
      throw new BundleError(`${file.path} is larger than the ${limit} bytes allowed`, file.path);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}
