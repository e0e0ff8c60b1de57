/**
 * The ATECC608A memory map: the 128-byte configuration zone (layout, SlotConfig and KeyConfig fields,
 * locks), the 64-byte OTP zone, the 16 data slots with their real sizes, the zone/address encoding of
 * Read and Write, the summary CRCs Lock checks, and the default configuration the emulator ships with.
 */
import { atCrc } from './crc.js';

export type Zone = 'config' | 'otp' | 'data';

export const CONFIG_SIZE = 128;
export const OTP_SIZE = 64;
export const SLOT_COUNT = 16;
export const BLOCK_SIZE = 32;
export const WORD_SIZE = 4;

/** Zone field of Read/Write param1 (bits 0–1); bit 7 selects 32-byte access, bit 6 an encrypted write. */
export const ZONE_BITS: Readonly<Record<Zone, number>> = { config: 0x00, otp: 0x01, data: 0x02 };
export const ZONE_32_BYTES = 0x80;
export const ZONE_ENCRYPTED = 0x40;

/** LockConfig / LockValue values (bytes 87 and 86). */
export const UNLOCKED = 0x55;
export const LOCKED = 0x00;

/** Byte offsets in the configuration zone (ATECC608A datasheet, configuration zone map). */
export const ConfigOffset = {
  serialNumber0to3: 0,
  revision: 4,
  serialNumber4to8: 8,
  aesEnable: 13,
  i2cEnable: 14,
  i2cAddress: 16,
  countMatch: 18,
  chipMode: 19,
  slotConfig: 20,
  counter0: 52,
  counter1: 60,
  useLock: 68,
  userExtra: 84,
  userExtraAdd: 85,
  lockValue: 86,
  lockConfig: 87,
  slotLocked: 88,
  chipOptions: 90,
  x509Format: 92,
  keyConfig: 96,
} as const;

/** KeyConfig.KeyType of a P-256 key. */
export const KEY_TYPE_P256 = 4;

/** Slots 0–7 hold 36 bytes, slot 8 holds 416, slots 9–15 hold 72. */
export function slotSize(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) throw new RangeError(`no slot ${slot}`);
  if (slot < 8) return 36;
  return slot === 8 ? 416 : 72;
}

export interface ZoneLocation {
  zone: Zone;
  /** Data zone only. */
  slot?: number;
  /** 32-byte block within the zone (config 0–3, OTP 0–1) or within the slot (data). */
  block: number;
  /** 4-byte word within the block (0–7); ignored for 32-byte access. */
  offset?: number;
}

/**
 * Param2 of Read/Write (CryptoAuthLib's `calib_get_addr`): config and OTP `block << 3 | offset`; data
 * `block << 8 | slot << 3 | offset`.
 */
export function zoneAddress(location: ZoneLocation): number {
  const { zone, slot = 0, block, offset = 0 } = location;
  const blocks = zone === 'config' ? 4 : zone === 'otp' ? 2 : Math.ceil(slotSize(slot) / BLOCK_SIZE);
  if (!Number.isInteger(block) || block < 0 || block >= blocks) throw new RangeError(`no block ${block}`);
  if (!Number.isInteger(offset) || offset < 0 || offset > 7) throw new RangeError(`no word offset ${offset}`);
  if (zone !== 'data') return (block << 3) | offset;
  return (block << 8) | (slot << 3) | offset;
}

/** One Read or Write of a multi-access transfer: where, which bytes of the whole, and how many. */
export interface Chunk {
  location: ZoneLocation;
  start: number;
  size: 4 | 32;
}

/**
 * The writes that put config bytes 16–127 in place, skipping 84–87: 32 bytes where a whole block is
 * writable (blocks 1 and 3), 4-byte words around the exceptions (block 0 from byte 16, block 2).
 */
export function configWriteChunks(): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 16; start < CONFIG_SIZE; ) {
    const block = Math.floor(start / BLOCK_SIZE);
    const blockEnd = (block + 1) * BLOCK_SIZE;
    const skipped = start >= ConfigOffset.userExtra && start < 88;
    const whole = start % BLOCK_SIZE === 0 && (blockEnd <= ConfigOffset.userExtra || start >= 88);
    const size = whole ? BLOCK_SIZE : WORD_SIZE;
    if (!skipped)
      chunks.push({
        location: { zone: 'config', block, offset: (start % BLOCK_SIZE) / WORD_SIZE },
        start,
        size,
      });
    start += size;
  }
  return chunks;
}

/** The accesses covering the first `length` bytes of a slot: whole 32-byte blocks, then 4-byte words. */
export function slotChunks(slot: number, length: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < length; ) {
    const size = length - start >= BLOCK_SIZE && start % BLOCK_SIZE === 0 ? BLOCK_SIZE : WORD_SIZE;
    const location = {
      zone: 'data' as const,
      slot,
      block: Math.floor(start / BLOCK_SIZE),
      offset: (start % BLOCK_SIZE) / WORD_SIZE,
    };
    chunks.push({ location, start, size });
    start += size;
  }
  return chunks;
}

export interface SlotConfig {
  /** For private keys: bit 0 external signatures, bit 1 internal signatures, bit 2 ECDH. */
  readKey: number;
  noMac: boolean;
  limitedUse: boolean;
  encryptRead: boolean;
  isSecret: boolean;
  writeKey: number;
  /** Bits 12–15; for private keys bit 1 (SlotConfig bit 13) lets GenKey replace the key after data lock. */
  writeConfig: number;
}

export function parseSlotConfig(value: number): SlotConfig {
  return {
    readKey: value & 0x0f,
    noMac: (value & 0x10) !== 0,
    limitedUse: (value & 0x20) !== 0,
    encryptRead: (value & 0x40) !== 0,
    isSecret: (value & 0x80) !== 0,
    writeKey: (value >> 8) & 0x0f,
    writeConfig: (value >> 12) & 0x0f,
  };
}

export interface KeyConfig {
  private: boolean;
  pubInfo: boolean;
  keyType: number;
  lockable: boolean;
  reqRandom: boolean;
  reqAuth: boolean;
  authKey: number;
}

export function parseKeyConfig(value: number): KeyConfig {
  return {
    private: (value & 0x01) !== 0,
    pubInfo: (value & 0x02) !== 0,
    keyType: (value >> 2) & 0x07,
    lockable: (value & 0x20) !== 0,
    reqRandom: (value & 0x40) !== 0,
    reqAuth: (value & 0x80) !== 0,
    authKey: (value >> 8) & 0x0f,
  };
}

export const slotConfigOf = (config: Buffer, slot: number): SlotConfig =>
  parseSlotConfig(config.readUInt16LE(ConfigOffset.slotConfig + 2 * slot));

export const keyConfigOf = (config: Buffer, slot: number): KeyConfig =>
  parseKeyConfig(config.readUInt16LE(ConfigOffset.keyConfig + 2 * slot));

export type WritePolicy = 'always' | 'pubInvalid' | 'never' | 'encrypt';

/** WriteConfig as the Write command reads it: 0000 always, 0001 PubInvalid, x1xx encrypt, 10xx and x01x never. */
export function writePolicy(writeConfig: number): WritePolicy {
  if (writeConfig & 0b0100) return 'encrypt';
  if (writeConfig & 0b1000 || writeConfig & 0b0010) return 'never';
  return writeConfig === 0b0001 ? 'pubInvalid' : 'always';
}

/** The 9-byte serial number: configuration bytes 0–3 and 8–12. */
export function serialNumberOf(config: Uint8Array): Buffer {
  return Buffer.concat([config.subarray(0, 4), config.subarray(8, 13)]);
}

/** The summary CRC Lock(config) compares with param2: atCRC over all 128 bytes. */
export const configZoneCrc = (config: Uint8Array): number => atCrc(config);

/**
 * The summary CRC Lock(data) compares with param2: atCRC over every slot in order, skipping slots whose
 * KeyConfig.Private is set (the host cannot know those bytes), then the OTP zone (CryptoAuthLib,
 * `calib_lock_data_zone_crc`).
 */
export function dataZoneCrc(config: Buffer, slots: readonly Uint8Array[], otp: Uint8Array): number {
  const parts: Uint8Array[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (keyConfigOf(config, slot).private) continue;
    const content = slots[slot];
    if (content?.length !== slotSize(slot))
      throw new RangeError(`slot ${slot} must hold ${slotSize(slot)} bytes`);
    parts.push(content);
  }
  if (otp.length !== OTP_SIZE) throw new RangeError(`the OTP zone holds ${OTP_SIZE} bytes`);
  return atCrc(Buffer.concat([...parts, otp]));
}

// SlotConfig / KeyConfig of the default device configuration (little-endian 16-bit values).
const IDENTITY_KEY = { slot: 0x0083, key: 0x0033 }; // external+internal sign, secret; GenKey only before data lock
const SPARE_KEY = { slot: 0x2083, key: 0x0033 }; // same, and GenKey may replace it after data lock (rotation)
const DATA = { slot: 0x0000, key: 0x003c }; // clear reads, writes always; KeyType "other data", lockable
const WRITE_ONCE_DATA = { slot: 0x2000, key: 0x003c }; // clear reads, writes never once the data zone is locked

/** Slot 0 identity key; 1–4 spare keys; 5–9, 11–15 data; 10 data written before the data lock only. */
export const DEFAULT_SLOT_LAYOUT: readonly { slot: number; key: number }[] = Array.from(
  { length: SLOT_COUNT },
  (_, slot) => (slot === 0 ? IDENTITY_KEY : slot <= 4 ? SPARE_KEY : slot === 10 ? WRITE_ONCE_DATA : DATA),
);

/**
 * A fresh, unlocked configuration zone for a device: the serial number, revision 00 00 60 02, I2C enabled at
 * 0xC0 (7-bit 0x60), short watchdog, counters at zero, both zones unlocked, no slot locked.
 */
export function defaultConfigZone(serialNumber: Uint8Array): Buffer {
  if (serialNumber.length !== 9) throw new RangeError('the serial number has 9 bytes');
  const config = Buffer.alloc(CONFIG_SIZE);
  config.set(serialNumber.subarray(0, 4), ConfigOffset.serialNumber0to3);
  config.set([0x00, 0x00, 0x60, 0x02], ConfigOffset.revision);
  config.set(serialNumber.subarray(4, 9), ConfigOffset.serialNumber4to8);
  config.writeUInt8(0x01, ConfigOffset.i2cEnable);
  config.writeUInt8(0xc0, ConfigOffset.i2cAddress);
  DEFAULT_SLOT_LAYOUT.forEach(({ slot, key }, index) => {
    config.writeUInt16LE(slot, ConfigOffset.slotConfig + 2 * index);
    config.writeUInt16LE(key, ConfigOffset.keyConfig + 2 * index);
  });
  // Monotonic counters at zero, in the chip's encoding.
  config.set([0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00], ConfigOffset.counter0);
  config.set([0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00], ConfigOffset.counter1);
  config.writeUInt8(UNLOCKED, ConfigOffset.lockValue);
  config.writeUInt8(UNLOCKED, ConfigOffset.lockConfig);
  config.writeUInt16LE(0xffff, ConfigOffset.slotLocked);
  return config;
}
