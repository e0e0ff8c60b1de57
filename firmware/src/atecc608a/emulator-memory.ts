/**
 * The emulator's memory commands: Read, Write and Lock, with the access rules of the ATECC608A datasheet
 * as far as they apply without the MAC-based commands (GenDig, encrypted reads and writes):
 * - config zone: always readable; writable until LockConfig, except bytes 0–15 (serial number, revision)
 *   and 84–87 (UserExtra, UserExtraAdd, LockValue, LockConfig), which Write never changes;
 * - OTP and data zones: not readable before LockValue, writable in clear only after LockConfig and before
 *   LockValue; after LockValue the OTP zone is read-only and each slot follows its SlotConfig/KeyConfig;
 * - a slot with KeyConfig.Private is never readable and never written by Write (private keys never leave);
 * - Lock checks the zone's summary CRC unless param1 bit 7 asks it not to.
 */
import { atCrc } from './crc.js';
import { type ChipState, executionError, type Outcome, parseError, success } from './emulator-state.js';
import type { Command } from './packet.js';
import { ConfigOffset, dataZoneCrc, LOCKED, slotSize, writePolicy } from './zones.js';

interface Location {
  zone: 0 | 1 | 2;
  /** Byte offset in the zone, or in the slot for the data zone. */
  start: number;
  length: 4 | 32;
  slot: number;
}

/**
 * Decodes the zone (param1) and address (param2) of Read/Write; undefined (a parse error) when a reserved
 * bit is set or the access would run past the end of the zone or slot. The word offset is ignored for
 * 32-byte access.
 */
function locate(param1: number, param2: number): Location | undefined {
  const zone = param1 & 0x03;
  const length = param1 & 0x80 ? 32 : 4;
  const word = length === 4 ? (param2 & 0x07) * 4 : 0;
  if (zone === 0) {
    if (param2 & ~0x1f) return undefined;
    return { zone, start: ((param2 >> 3) & 0x03) * 32 + word, length, slot: 0 };
  }
  if (zone === 1) {
    if (param2 & ~0x0f) return undefined;
    return { zone, start: ((param2 >> 3) & 0x01) * 32 + word, length, slot: 0 };
  }
  if (zone !== 2 || param2 & 0x80) return undefined;
  const slot = (param2 >> 3) & 0x0f;
  const start = (param2 >> 8) * 32 + word;
  if (start + length > slotSize(slot)) return undefined;
  return { zone, start, length, slot };
}

export function read(state: ChipState, command: Command): Outcome {
  if (command.data.length !== 0 || command.param1 & ~0x83) return parseError;
  const at = locate(command.param1, command.param2);
  if (!at) return parseError;
  if (at.zone === 0) return { data: Buffer.from(state.config.subarray(at.start, at.start + at.length)) };
  if (!state.dataLocked) return executionError;
  if (at.zone === 1) return { data: Buffer.from(state.otp.subarray(at.start, at.start + at.length)) };
  // Encrypted reads of secret slots need GenDig, which is not emulated: such a read is refused as the
  // chip refuses a clear read of a secret slot. Private keys are refused whatever the configuration says.
  if (state.keyConfig(at.slot).private || state.slotConfig(at.slot).isSecret) return executionError;
  const slot = state.slots[at.slot] ?? Buffer.alloc(0);
  return { data: Buffer.from(slot.subarray(at.start, at.start + at.length)) };
}

const overlaps = (start: number, end: number, from: number, to: number) => start < to && from < end;

export function write(state: ChipState, command: Command): Outcome {
  if (command.param1 & ~0xc3) return parseError;
  const encrypted = (command.param1 & 0x40) !== 0;
  const at = locate(command.param1, command.param2);
  if (!at || command.data.length !== at.length + (encrypted ? 32 : 0)) return parseError;
  // An encrypted write needs a TempKey made by GenDig; the emulator has no GenDig, so TempKey never qualifies.
  if (encrypted) return executionError;
  const value = command.data.subarray(0, at.length);
  const end = at.start + at.length;
  if (at.zone === 0) {
    if (state.configLocked) return executionError;
    if (overlaps(at.start, end, 0, 16) || overlaps(at.start, end, ConfigOffset.userExtra, 88)) {
      return executionError;
    }
    state.config.set(value, at.start);
    return success;
  }
  if (!state.configLocked) return executionError;
  if (at.zone === 1) {
    if (state.dataLocked) return executionError;
    state.otp.set(value, at.start);
    return success;
  }
  if (state.dataLocked && !mayWriteLockedSlot(state, at)) return executionError;
  state.slots[at.slot]?.set(value, at.start);
  return success;
}

function mayWriteLockedSlot(state: ChipState, at: Location): boolean {
  if (state.slotLocked(at.slot) || state.keyConfig(at.slot).private) return false;
  const slotConfig = state.slotConfig(at.slot);
  if (slotConfig.isSecret && at.length === 4) return false;
  const policy = writePolicy(slotConfig.writeConfig);
  return policy === 'always' || policy === 'pubInvalid';
}

export function lock(state: ChipState, command: Command): Outcome {
  const { param1, param2 } = command;
  if (command.data.length !== 0 || param1 & 0x40) return parseError;
  const mode = param1 & 0x03;
  const slot = (param1 >> 2) & 0x0f;
  const checkCrc = (param1 & 0x80) === 0;
  if (mode === 0x03 || (mode !== 0x02 && slot !== 0)) return parseError;
  if (mode === 0x00) {
    if (state.configLocked) return executionError;
    if (checkCrc && atCrc(state.config) !== param2) return executionError;
    state.config.writeUInt8(LOCKED, ConfigOffset.lockConfig);
    return success;
  }
  if (mode === 0x01) {
    if (!state.configLocked || state.dataLocked) return executionError;
    if (checkCrc && dataZoneCrc(state.config, state.slots, state.otp) !== param2) return executionError;
    state.config.writeUInt8(LOCKED, ConfigOffset.lockValue);
    return success;
  }
  // Slot lock: CryptoAuthLib sends it with a zero summary and without the no-CRC bit, so the summary is not
  // checked here.
  if (!state.dataLocked || !state.keyConfig(slot).lockable || state.slotLocked(slot)) return executionError;
  state.lockSlot(slot);
  return success;
}
