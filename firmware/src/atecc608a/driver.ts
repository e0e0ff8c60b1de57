/**
 * The ATECC608A driver: one typed method per command (Info, Random, Nonce, GenKey, Sign, Verify, Read,
 * Write, Lock) with the parameter encoding of the datasheet and CryptoAuthLib, and the helpers a device
 * needs on top (serial number, configuration zone, whole slots, sign or verify a digest, the public key as
 * a KeyObject). Every command goes through `CommandChannel`, which wakes, polls, retries and idles.
 */
import type { KeyObject } from 'node:crypto';
import type { I2cTransport } from '../i2c/transport.js';
import { type ChannelOptions, CommandChannel } from './channel.js';
import { Opcode } from './constants.js';
import { AteccError } from './errors.js';
import { publicKeyFromRaw } from './public-key.js';
import {
  BLOCK_SIZE,
  CONFIG_SIZE,
  ConfigOffset,
  configWriteChunks,
  LOCKED,
  SLOT_COUNT,
  serialNumberOf,
  slotChunks,
  slotSize,
  WORD_SIZE,
  ZONE_32_BYTES,
  ZONE_BITS,
  type ZoneLocation,
  zoneAddress,
} from './zones.js';

/** Where Nonce pass-through puts its value (param1 bits 6–7) and where Sign/Verify take their message. */
export type MessageBuffer = 'tempKey' | 'messageDigest';
export type NonceTarget = MessageBuffer | 'alternateKey';
const NONCE_TARGET_BITS: Readonly<Record<NonceTarget, number>> = {
  tempKey: 0x00,
  messageDigest: 0x40,
  alternateKey: 0x80,
};
/** Sign/Verify param1 bit 5: 0 the message is in TempKey, 1 in the message digest buffer. */
const sourceBit = (source: MessageBuffer) => (source === 'messageDigest' ? 0x20 : 0x00);

const NONCE_PASSTHROUGH = 0x03;
const NONCE_64_BYTES = 0x20;
const GENKEY_PUBLIC = 0x00;
const GENKEY_PRIVATE = 0x04;
const SIGN_EXTERNAL = 0x80;
const VERIFY_EXTERNAL = 0x02;
const VERIFY_KEY_P256 = 0x0004;
const LOCK_CONFIG = 0x00;
const LOCK_DATA = 0x01;
const LOCK_SLOT = 0x02;
const LOCK_NO_CRC = 0x80;

export interface LockOptions {
  /**
   * The CRC the zone must have for the lock to happen (`configZoneCrc` / `dataZoneCrc` of what you wrote).
   * Without it the lock is unconditional (param1 bit 7): whatever the zone holds gets locked.
   */
  summaryCrc?: number;
}

export class Atecc608a {
  readonly channel: CommandChannel;

  constructor(transport: I2cTransport, options: ChannelOptions = {}) {
    this.channel = new CommandChannel(transport, options);
  }

  wake(): Promise<void> {
    return this.channel.wake();
  }

  /** Idle keeps TempKey; the driver idles the chip after every command anyway. */
  idle(): Promise<boolean> {
    return this.channel.idle();
  }

  /** Sleep loses TempKey and the message digest buffer; the lowest-power state. */
  sleep(): Promise<boolean> {
    return this.channel.sleep();
  }

  /** Any command; returns the response data (a bare success status as one 0x00 byte). */
  execute(
    opcode: number,
    param1: number,
    param2: number,
    data: Uint8Array = Buffer.alloc(0),
  ): Promise<Buffer> {
    return this.channel.execute({ opcode, param1, param2, data });
  }

  /** Info(Revision): 4 bytes, 00 00 60 02 for an ATECC608A. */
  async info(): Promise<Buffer> {
    return expectLength(await this.execute(Opcode.info, 0x00, 0x0000), 4, Opcode.info);
  }

  /** 32 random bytes; mode 0 lets the chip update its EEPROM seed first, as CryptoAuthLib does by default. */
  async random(options: { updateSeed?: boolean } = {}): Promise<Buffer> {
    const mode = options.updateSeed === false ? 0x01 : 0x00;
    return expectLength(await this.execute(Opcode.random, mode, 0x0000), 32, Opcode.random);
  }

  /** Nonce, random mode: TempKey = SHA-256(RandOut || numIn || 16 || mode || 00); returns RandOut. */
  async nonceRandom(numIn: Uint8Array, options: { updateSeed?: boolean } = {}): Promise<Buffer> {
    if (numIn.length !== 20) throw new AteccError('invalid_argument', { detail: 'NumIn is 20 bytes' });
    const mode = options.updateSeed === false ? 0x01 : 0x00;
    return expectLength(await this.execute(Opcode.nonce, mode, 0x0000, numIn), 32, Opcode.nonce);
  }

  /** Nonce, pass-through mode: loads 32 (or 64) bytes into TempKey or another buffer, unchanged. */
  async nonceLoad(value: Uint8Array, target: NonceTarget = 'tempKey'): Promise<void> {
    if (value.length !== 32 && value.length !== 64) {
      throw new AteccError('invalid_argument', { detail: 'Nonce pass-through takes 32 or 64 bytes' });
    }
    const mode = NONCE_PASSTHROUGH | NONCE_TARGET_BITS[target] | (value.length === 64 ? NONCE_64_BYTES : 0);
    await this.execute(Opcode.nonce, mode, 0x0000, value);
  }

  /** GenKey: a new private key inside the chip in `slot`; returns its public key X||Y (64 bytes). */
  async genKey(slot: number): Promise<Buffer> {
    const response = await this.execute(Opcode.genKey, GENKEY_PRIVATE, checkSlot(slot));
    return expectLength(response, 64, Opcode.genKey);
  }

  /** GenKey, public mode: the public key X||Y of the private key in `slot`. */
  async getPublicKey(slot: number): Promise<Buffer> {
    const response = await this.execute(Opcode.genKey, GENKEY_PUBLIC, checkSlot(slot));
    return expectLength(response, 64, Opcode.genKey);
  }

  /** The public key of `slot` as a Node KeyObject (export it as SPKI with `spkiFromRaw` or `.export`). */
  async publicKey(slot: number): Promise<KeyObject> {
    return publicKeyFromRaw(await this.getPublicKey(slot));
  }

  /** Sign, external mode: signs the 32-byte message already loaded in `source`; returns R||S. */
  async sign(slot: number, source: MessageBuffer = 'tempKey'): Promise<Buffer> {
    const response = await this.execute(Opcode.sign, SIGN_EXTERNAL | sourceBit(source), checkSlot(slot));
    return expectLength(response, 64, Opcode.sign);
  }

  /**
   * Signs a 32-byte digest (e.g. SHA-256 of a message) with the private key in `slot`: Random (so that the
   * RNG seed is fresh, as CryptoAuthLib's `calib_sign` does), Nonce pass-through of the digest, Sign.
   */
  async signDigest(slot: number, digest: Uint8Array, source: MessageBuffer = 'tempKey'): Promise<Buffer> {
    checkDigest(digest);
    await this.random();
    await this.nonceLoad(digest, source);
    return this.sign(slot, source);
  }

  /** Verify, external mode: whether R||S signs the message loaded in `source` under public key X||Y. */
  async verify(
    signature: Uint8Array,
    publicKey: Uint8Array,
    source: MessageBuffer = 'tempKey',
  ): Promise<boolean> {
    if (signature.length !== 64 || publicKey.length !== 64) {
      throw new AteccError('invalid_argument', { detail: 'signature and public key are 64 bytes each' });
    }
    const data = Buffer.concat([signature, publicKey]);
    try {
      await this.execute(Opcode.verify, VERIFY_EXTERNAL | sourceBit(source), VERIFY_KEY_P256, data);
      return true;
    } catch (error) {
      if (error instanceof AteccError && error.code === 'verify_miscompare') return false;
      throw error;
    }
  }

  /** Loads `digest` with Nonce pass-through, then Verify external. */
  async verifyDigest(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
    checkDigest(digest);
    await this.nonceLoad(digest, 'tempKey');
    return this.verify(signature, publicKey, 'tempKey');
  }

  /** Read: 4 bytes (one word) or 32 bytes (one block) of a zone. */
  async read(location: ZoneLocation, size: 4 | 32): Promise<Buffer> {
    const param1 = ZONE_BITS[location.zone] | (size === 32 ? ZONE_32_BYTES : 0);
    const response = await this.execute(Opcode.read, param1, address(location));
    return expectLength(response, size, Opcode.read);
  }

  /** Write in clear: 4 or 32 bytes to a zone. */
  async write(location: ZoneLocation, data: Uint8Array): Promise<void> {
    if (data.length !== WORD_SIZE && data.length !== BLOCK_SIZE) {
      throw new AteccError('invalid_argument', { detail: 'Write takes 4 or 32 bytes' });
    }
    const param1 = ZONE_BITS[location.zone] | (data.length === BLOCK_SIZE ? ZONE_32_BYTES : 0);
    await this.execute(Opcode.write, param1, address(location), data);
  }

  /** The 128-byte configuration zone (four 32-byte reads). */
  async readConfigZone(): Promise<Buffer> {
    const blocks: Buffer[] = [];
    for (let block = 0; block < CONFIG_SIZE / BLOCK_SIZE; block++) {
      blocks.push(await this.read({ zone: 'config', block }, 32));
    }
    return Buffer.concat(blocks);
  }

  /**
   * Writes bytes 16–127 of `config`, skipping 84–87 (UserExtra, UserExtraAdd and the lock bytes, which only
   * UpdateExtra and Lock change), as CryptoAuthLib's `calib_write_config_zone` does.
   */
  async writeConfigZone(config: Uint8Array): Promise<void> {
    if (config.length !== CONFIG_SIZE)
      throw new AteccError('invalid_argument', { detail: 'config is 128 bytes' });
    for (const { location, start, size } of configWriteChunks()) {
      await this.write(location, config.subarray(start, start + size));
    }
  }

  /** The 9-byte serial number: config bytes 0–3 and 8–12 (always readable). */
  async readSerialNumber(): Promise<Buffer> {
    return serialNumberOf(await this.read({ zone: 'config', block: 0 }, 32));
  }

  /** LockConfig (byte 87) or LockValue (byte 86), from the config word at block 2, offset 5. */
  async isLocked(zone: 'config' | 'data'): Promise<boolean> {
    const word = await this.read({ zone: 'config', block: 2, offset: 5 }, 4);
    const byte = zone === 'config' ? ConfigOffset.lockConfig : ConfigOffset.lockValue;
    return word.readUInt8(byte - ConfigOffset.userExtra) === LOCKED;
  }

  /** Reads a whole data slot: 32-byte blocks, then 4-byte words for the tail (36- and 72-byte slots). */
  async readSlot(slot: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (const { location, size } of slotChunks(checkSlot(slot), slotSize(slot))) {
      parts.push(await this.read(location, size));
    }
    return Buffer.concat(parts);
  }

  /** Writes `data` (a multiple of 4 bytes, at most the slot's size) from the start of a slot. */
  async writeSlot(slot: number, data: Uint8Array): Promise<void> {
    if (data.length % WORD_SIZE !== 0 || data.length > slotSize(checkSlot(slot))) {
      throw new AteccError('invalid_argument', { detail: 'slot data must be whole words and fit the slot' });
    }
    for (const { location, start, size } of slotChunks(slot, data.length)) {
      await this.write(location, data.subarray(start, start + size));
    }
  }

  /** Lock(config). Irreversible. */
  async lockConfigZone(options: LockOptions = {}): Promise<void> {
    await this.#lock(LOCK_CONFIG, options);
  }

  /** Lock(data and OTP). Irreversible. */
  async lockDataZone(options: LockOptions = {}): Promise<void> {
    await this.#lock(LOCK_DATA, options);
  }

  /** Lock one slot whose KeyConfig.Lockable is set (param1 = slot << 2 | 2). Irreversible. */
  async lockSlot(slot: number): Promise<void> {
    await this.execute(Opcode.lock, (checkSlot(slot) << 2) | LOCK_SLOT, 0x0000);
  }

  async #lock(zone: number, { summaryCrc }: LockOptions): Promise<void> {
    if (
      summaryCrc !== undefined &&
      !(Number.isInteger(summaryCrc) && summaryCrc >= 0 && summaryCrc <= 0xffff)
    ) {
      throw new AteccError('invalid_argument', { detail: 'the summary CRC is a 16-bit value' });
    }
    const param1 = summaryCrc === undefined ? zone | LOCK_NO_CRC : zone;
    await this.execute(Opcode.lock, param1, summaryCrc ?? 0x0000);
  }
}

function checkSlot(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new AteccError('invalid_argument', { detail: `no slot ${slot}` });
  }
  return slot;
}

function checkDigest(digest: Uint8Array): void {
  if (digest.length !== 32) throw new AteccError('invalid_argument', { detail: 'a digest is 32 bytes' });
}

function address(location: ZoneLocation): number {
  try {
    return zoneAddress(location);
  } catch (error) {
    throw new AteccError('invalid_argument', { detail: (error as Error).message });
  }
}

function expectLength(data: Buffer, length: number, opcode: number): Buffer {
  if (data.length !== length) {
    throw new AteccError('unexpected_response', {
      opcode,
      detail: `${data.length} bytes, expected ${length}`,
    });
  }
  return data;
}
