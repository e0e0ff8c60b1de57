// yazl (the streaming zip writer of the bundles) ships no types: the part of its API used here.
declare module 'yazl' {
  import type { EventEmitter } from 'node:events';
  import type { PassThrough, Readable } from 'node:stream';

  export interface EntryOptions {
    mtime?: Date;
    mode?: number;
    compress?: boolean;
    compressionLevel?: number;
    forceZip64Format?: boolean;
    size?: number;
  }

  export class ZipFile extends EventEmitter {
    /** The archive's bytes, as entries are written. */
    readonly outputStream: PassThrough;
    addReadStream(readStream: Readable, metadataPath: string, options?: EntryOptions): void;
    addBuffer(buffer: Buffer, metadataPath: string, options?: EntryOptions): void;
    end(options?: { forceZip64Format?: boolean; comment?: string }): void;
  }
}
