/**
 * What the emulated ATECC608A remembers: the EEPROM (configuration zone, OTP zone, 16 data slots), the
 * volatile buffers a command may leave for the next one (TempKey, message digest buffer, alternate key
 * buffer), and the random number generator. Command handlers read and change it; only the I2C front
 * (`emulator.ts`) decides when volatile state is lost.
 */
import { randomBytes } from 'node:crypto';
import {
  ConfigOffset,
  defaultConfigZone,
  type KeyConfig,
  keyConfigOf,
  LOCKED,
  OTP_SIZE,
  SLOT_COUNT,
  type SlotConfig,
  slotConfigOf,
  slotSize,
} from './zones.js';

/** Outcome of one command: a status byte, or data for a response packet. */
export type Outcome = { readonly status: number } | { readonly data: Buffer };

export const success: Outcome = { status: 0x00 };
export const miscompare: Outcome = { status: 0x01 };
export const parseError: Outcome = { status: 0x03 };
export const eccFault: Outcome = { status: 0x05 };
export const executionError: Outcome = { status: 0x0f };

export type VolatileTarget = 'tempKey' | 'messageDigest' | 'alternateKey';

export interface VolatileValue {
  readonly value: Buffer;
  /** Where it came from: Nonce's RNG path, or a value the host passed through. */
  readonly source: 'random' | 'input';
}

/** The pattern the RNG returns while the configuration zone is unlocked (datasheet, Random command). */
const UNLOCKED_RANDOM_PATTERN = Buffer.of(0xff, 0xff, 0x00, 0x00);

export class ChipState {
  readonly config: Buffer;
  readonly otp: Buffer = Buffer.alloc(OTP_SIZE);
  readonly slots: Buffer[] = Array.from({ length: SLOT_COUNT }, (_, slot) => Buffer.alloc(slotSize(slot)));
  readonly volatile: Record<VolatileTarget, VolatileValue | undefined> = {
    tempKey: undefined,
    messageDigest: undefined,
    alternateKey: undefined,
  };

  constructor(serialNumber: Uint8Array) {
    this.config = defaultConfigZone(serialNumber);
  }

  get configLocked(): boolean {
    return this.config.readUInt8(ConfigOffset.lockConfig) === LOCKED;
  }

  get dataLocked(): boolean {
    return this.config.readUInt8(ConfigOffset.lockValue) === LOCKED;
  }

  /** SlotLocked holds one bit per slot; 0 means locked. */
  slotLocked(slot: number): boolean {
    return ((this.config.readUInt16LE(ConfigOffset.slotLocked) >> slot) & 1) === 0;
  }

  lockSlot(slot: number): void {
    const bits = this.config.readUInt16LE(ConfigOffset.slotLocked);
    this.config.writeUInt16LE(bits & ~(1 << slot) & 0xffff, ConfigOffset.slotLocked);
  }

  slotConfig(slot: number): SlotConfig {
    return slotConfigOf(this.config, slot);
  }

  keyConfig(slot: number): KeyConfig {
    return keyConfigOf(this.config, slot);
  }

  /** Watchdog expiry and the sleep word address lose everything volatile; idle keeps it. */
  clearVolatile(): void {
    this.volatile.tempKey = undefined;
    this.volatile.messageDigest = undefined;
    this.volatile.alternateKey = undefined;
  }

  /** Real random bytes once the configuration zone is locked, FF FF 00 00 … before. */
  random(size: number): Buffer {
    if (this.configLocked) return randomBytes(size);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out.writeUInt8(UNLOCKED_RANDOM_PATTERN.readUInt8(i % 4), i);
    return out;
  }

  /** The I2C address the chip answers on: config byte 16 holds it shifted left by one. */
  get i2cAddress(): number {
    return this.config.readUInt8(ConfigOffset.i2cAddress) >> 1;
  }

  /** ChipMode bit 2 selects the long (~13 s) watchdog. */
  get longWatchdog(): boolean {
    return (this.config.readUInt8(ConfigOffset.chipMode) & 0x04) !== 0;
  }
}
